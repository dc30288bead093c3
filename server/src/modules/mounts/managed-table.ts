import { sql } from 'kysely'
import type { Db, Executor } from '../../platform/db/database.ts'
import type { TableColumn } from './layout.ts'

/**
 * DDL and whole-table queries on managed tables (schema `mounted`, one table per loaded batch).
 * Table names are generated here and checked against one pattern before any SQL is built, and
 * column names come from tableColumns(), so identifiers are safe; they are quoted anyway.
 */

export const MANAGED_SCHEMA = 'mounted'
const TABLE_NAME = /^r_[0-9a-f]{32}_\d{1,9}$/

/** `r_<resource id without dashes>_<n>`, e.g. r_0b6e…_3. */
export function managedTableName(resourceId: string, n: number): string {
  const name = `r_${resourceId.replaceAll('-', '').toLowerCase()}_${n}`
  assertTableName(name)
  return name
}

export function assertTableName(name: string) {
  if (!TABLE_NAME.test(name)) throw new Error(`not a managed table name: ${name}`)
}

/** `mounted.r_…` (lower-case letters, digits and underscores only, so safe unquoted too). */
export const qualifiedName = (name: string) => {
  assertTableName(name)
  return `${MANAGED_SCHEMA}.${name}`
}
const tableRef = (name: string) => sql.table(qualifiedName(name))
const quoted = (name: string) => {
  assertTableName(name)
  return `"${MANAGED_SCHEMA}"."${name}"`
}
export { quoted as quotedTableName }

/** The batch number at the end of a managed table name. */
export const batchNumberOf = (name: string) => Number(/_(\d+)$/.exec(name)?.[1] ?? 0)

export async function createManagedTable(db: Executor, name: string, columns: readonly TableColumn[]) {
  const definitions = [sql`_line bigint not null`, ...columns.map((c) => sql`${sql.id(c.column)} ${sql.raw(c.sqlType)}`)]
  await sql`create table ${tableRef(name)} (${sql.join(definitions)})`.execute(db)
}

export async function dropManagedTable(db: Executor, name: string) {
  await sql`drop table if exists ${tableRef(name)}`.execute(db)
}

const keyList = (columns: readonly TableColumn[]) => sql.join(columns.map((c) => sql.id(c.column)))

/** Creates the unique primary-key index; false when duplicate keys prevent it. */
export async function createKeyIndex(db: Executor, name: string, keys: readonly TableColumn[]): Promise<boolean> {
  try {
    await sql`create unique index ${sql.id(`${name}_pk`)} on ${tableRef(name)} (${keyList(keys)})`.execute(db)
    return true
  } catch (error) {
    if ((error as { code?: string }).code === '23505') return false
    throw error
  }
}

export async function dropKeyIndex(db: Executor, name: string) {
  assertTableName(name)
  await sql`drop index if exists ${sql.id(MANAGED_SCHEMA, `${name}_pk`)}`.execute(db)
}

export interface DuplicateRow {
  line: number
  firstLine: number
}

/** Rows whose key repeats an earlier row's (the first occurrence is kept): a sample and the total. */
export async function findDuplicateKeys(db: Executor, name: string, keys: readonly TableColumn[], limit: number) {
  const ranked = sql`select _line, row_number() over w as rn, first_value(_line) over w as first_line
    from ${tableRef(name)} window w as (partition by ${keyList(keys)} order by _line)`
  const sample = await sql<{ line: number; firstLine: number }>`select _line as line, first_line from (${ranked}) d where rn > 1 order by _line limit ${limit}`.execute(db)
  const total = await sql<{ n: number }>`select count(*)::int as n from (${ranked}) d where rn > 1`.execute(db)
  return { sample: sample.rows.map((r) => ({ line: Number(r.line), firstLine: Number(r.firstLine) })), total: total.rows[0].n }
}

/** Deletes every row whose key repeats an earlier row's; returns how many. */
export async function deleteDuplicateKeys(db: Executor, name: string, keys: readonly TableColumn[]): Promise<number> {
  const result = await sql`delete from ${tableRef(name)} where _line in (
      select _line from (select _line, row_number() over (partition by ${keyList(keys)} order by _line) as rn from ${tableRef(name)}) d where rn > 1)`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

/**
 * Gathers planner statistics for a freshly loaded table from a 3,000-row sample (statistics target
 * 10 instead of 100): managed tables are read by key and by row filters on
 * low-cardinality items, which such a sample describes well, and the default 30,000-row sample read
 * (and set hint bits on) nearly every page of a 1,000,000-row table: 0.47 s of each upload.
 */
export async function analyzeTable(db: Db, name: string) {
  await db.transaction().execute(async (trx) => {
    await sql`set local default_statistics_target = 10`.execute(trx)
    await sql`analyze ${tableRef(name)}`.execute(trx)
  })
}

/**
 * The newest value of the timestamp item as an instant: naive timestamps and dates are Beijing
 * wall-clock time (+08:00), hence AT TIME ZONE INTERVAL '+08:00' (ISO sign: east of UTC).
 */
export async function maxDataTime(db: Executor, name: string, column: TableColumn): Promise<Date | null> {
  const result = await sql<{ at: Date | null }>`select max(${sql.id(column.column)})::timestamp at time zone interval '+08:00' as at from ${tableRef(name)}`.execute(db)
  const at = result.rows[0]?.at
  return at ? new Date(at) : null
}

export async function countRows(db: Executor, name: string): Promise<number> {
  const result = await sql<{ n: number }>`select count(*)::int as n from ${tableRef(name)}`.execute(db)
  return result.rows[0].n
}

/** Managed tables that exist, by name. */
export async function existingManagedTables(db: Executor): Promise<Set<string>> {
  const result = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = ${MANAGED_SCHEMA}`.execute(db)
  return new Set(result.rows.map((r) => r.name))
}
