import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { PGlite } from '@electric-sql/pglite'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { CamelCasePlugin, Kysely, PostgresDialect, type Transaction } from 'kysely'
import pg from 'pg'
import type { Database } from './schema.ts'

// Dates stay 'YYYY-MM-DD' strings (no timezone shifts); bigint counts fit in a JS number here.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value)
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))
// A timestamp without time zone is a wall-clock value (mounted data): keep its text, do not reinterpret it in local time.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, (value) => value)

export type Db = Kysely<Database>
export type Trx = Transaction<Database>
/** Either the database or an open transaction: every query function takes one as its first argument. */
export type Executor = Db | Trx

export type DbKind = 'pglite' | 'postgres'

export interface OpenDatabase {
  db: Db
  kind: DbKind
  /** The embedded engine when kind is pglite (used for dumps in tests). */
  pglite?: PGlite
  /** The node-postgres pool when kind is postgres (bulk COPY needs a raw client). */
  pgPool?: pg.Pool
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** postgres://… — when set, the real PostgreSQL server is used. */
  url?: string
  /** PGlite data directory, or 'memory://'. */
  dataDir?: string
  /** A PGlite data-dir dump to start from (tests clone a migrated template). */
  loadDataDir?: Blob
  poolSize?: number
}

/** Emscripten's file-system error (e.g. errno 44 = ENOENT) escaping PGlite's WASM file system, or a WASM abort. */
const isWasmStartError = (error: unknown) =>
  (error as { name?: string })?.name === 'ErrnoError' || /Aborted\(\)/.test(String((error as Error)?.message ?? error))

/**
 * Opens PGlite on a data directory. PGlite mounts the directory into its WASM file system with a bare
 * lstat outside Postgres's own error handling: when the directory (or the path to it) is missing at that
 * moment, PGlite.create rejects with a message-less `ErrnoError 44` (ENOENT). Postgres's crash
 * recovery itself fails differently (FATAL, then `Aborted()`). So:
 * - the directory vanished while opening: a clear error, never a fresh empty database in its place;
 * - it still holds a database: one retry with a fresh instance (WAL replay is idempotent), after
 *   removing the postmaster.pid a killed instance leaves (some PGlite versions abort on it; the caller's
 *   data-dir lock already keeps other processes out).
 */
async function openPglite(dataDir: string, loadDataDir: Blob | undefined): Promise<PGlite> {
  if (dataDir.startsWith('memory://') || loadDataDir) return PGlite.create(dataDir, { loadDataDir })
  const hadDatabase = existsSync(join(dataDir, 'PG_VERSION'))
  try {
    return await PGlite.create(dataDir)
  } catch (error) {
    if (!isWasmStartError(error)) throw error
    const errno = (error as { errno?: number }).errno
    const what = `${(error as Error).name ?? 'error'}${errno ? ` ${errno}` : ''}`
    if (!existsSync(dataDir) || (hadDatabase && !existsSync(join(dataDir, 'PG_VERSION')))) {
      throw new Error(`内嵌数据库目录 ${dataDir} 在打开过程中不存在或被移走（${what}），已停止启动，未创建新数据库。请检查该目录后重试。`)
    }
    if (!hadDatabase) throw error
    console.error(`PGlite could not open ${dataDir} (${what}); retrying once`)
    rmSync(join(dataDir, 'postmaster.pid'), { force: true })
    await sleep(250)
    return PGlite.create(dataDir)
  }
}

// Column names are mapped; keys inside jsonb values are data and come back as stored (a row filter
// on `id_no` must not turn into `idNo`).
function buildKysely(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })] })
}

/** Opens PGlite or PostgreSQL behind the same Kysely instance. */
export async function openDatabase(options: DatabaseOptions): Promise<OpenDatabase> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 })
    pool.on('error', () => {}) // idle-client errors surface on the next query instead of crashing the process
    const db = buildKysely(pool)
    return { db, kind: 'postgres', pgPool: pool, close: () => db.destroy() }
  }
  const pglite = await openPglite(options.dataDir ?? 'memory://', options.loadDataDir)
  const pool = new pg.Pool(createPgConfig(pglite) as pg.PoolConfig)
  const db = buildKysely(pool)
  return {
    db,
    kind: 'pglite',
    pglite,
    async close() {
      await db.destroy()
      await pglite.close()
    },
  }
}
