import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sql } from 'kysely'
import { PROJECT_ROOT } from '../project-root.ts'
import type { Db } from './database.ts'

export const MIGRATIONS_DIR = join(PROJECT_ROOT, 'migrations')

// Any constant works; it only has to be the same in every process migrating this database.
const MIGRATION_LOCK_KEY = 7_370_700

/**
 * Applies the numbered SQL files of migrations/ that this database has not seen, each in its own
 * transaction. Forward-only. An advisory lock keeps two server processes from migrating at once.
 */
/** The migration files this install ships, in the order they apply. */
export async function migrationFiles(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort()
}

export async function migrate(db: Db): Promise<string[]> {
  const files = await migrationFiles()
  await sql`create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())`.execute(db)
  const applied: string[] = []
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn)
    try {
      const done = new Set((await sql<{ name: string }>`select name from schema_migrations`.execute(conn)).rows.map((r) => r.name))
      for (const file of files) {
        if (done.has(file)) continue
        const text = await readFile(join(MIGRATIONS_DIR, file), 'utf8')
        await conn.transaction().execute(async (trx) => {
          await sql.raw(text).execute(trx)
          await sql`insert into schema_migrations (name) values (${file})`.execute(trx)
        })
        applied.push(file)
      }
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn)
    }
  })
  return applied
}
