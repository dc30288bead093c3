import { mkdirSync, renameSync, rmSync } from 'node:fs'
import pg from 'pg'
import { prepareDatabase } from '../platform/db/bootstrap.ts'
import { openDatabase } from '../platform/db/database.ts'
import { CACHE_DIR, hasPgliteTemplate, pgliteTemplatePath, postgresTemplateName, testDatabaseUrl, withDatabase } from './template.ts'

/**
 * Builds the template database once per change of migrations: a PGlite data directory, and with
 * TEST_DATABASE_URL a PostgreSQL template database. Each test database is then a copy of it instead
 * of initdb and every migration again.
 */
export async function prepareTemplates() {
  if (!hasPgliteTemplate()) {
    mkdirSync(CACHE_DIR, { recursive: true })
    // Built beside its final place, then renamed: a test process running in parallel never copies half a directory.
    const partial = `${pgliteTemplatePath()}.${process.pid}.partial`
    rmSync(partial, { recursive: true, force: true })
    const database = await openDatabase({ dataDir: partial })
    await prepareDatabase(database.db)
    await database.close()
    try {
      renameSync(partial, pgliteTemplatePath())
    } catch (error) {
      // Another process finished first: its copy is as good as ours.
      if (!hasPgliteTemplate()) throw error
      rmSync(partial, { recursive: true, force: true })
    }
  }
  const url = testDatabaseUrl()
  if (url) {
    const name = postgresTemplateName()
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    // One process builds the template; the others wait here and then find it complete.
    await admin.query('select pg_advisory_lock(7370799)')
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [name])
      if (exists.rowCount === 0) {
        await admin.query(`drop database if exists ${name}_building`)
        await admin.query(`create database ${name}_building`)
        const database = await openDatabase({ url: withDatabase(url, `${name}_building`), poolSize: 1 })
        await prepareDatabase(database.db)
        await database.close()
        await admin.query(`alter database ${name}_building rename to ${name}`)
      }
    } finally {
      await admin.query('select pg_advisory_unlock(7370799)')
      await admin.end()
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  prepareTemplates().catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
