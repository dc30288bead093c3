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

function buildKysely(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] })
}

/** Opens PGlite or PostgreSQL behind the same Kysely instance. */
export async function openDatabase(options: DatabaseOptions): Promise<OpenDatabase> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 })
    pool.on('error', () => {}) // idle-client errors surface on the next query instead of crashing the process
    const db = buildKysely(pool)
    return { db, kind: 'postgres', pgPool: pool, close: () => db.destroy() }
  }
  const pglite = await PGlite.create(options.dataDir ?? 'memory://', {
    loadDataDir: options.loadDataDir,
  })
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
