/**
 * One small interface over a department's databases (PostgreSQL, MariaDB today; 达梦 or 人大金仓 later add a
 * file beside these). Identifiers come from the platform's checked job settings (letters, digits, underscores)
 * and are quoted by each connector; values are always text, NULL as null.
 */

export interface SourceSpec {
  table: string
  /** Source columns in output order. */
  columns: string[]
  where: string | null
  /** Rows whose incremental column is at or after this value (boundary rows are sent again: upserts are idempotent). */
  since?: { column: string; value: string } | null
  /** Parallel reads by ranges of a numeric split key. */
  split?: { column: string; channels: number } | null
}

export interface TargetColumn {
  name: string
  /** Portable type: text, varchar(n), numeric, bigint, double, date, timestamp, boolean. */
  type: string
}

export interface WriteOptions {
  mode: 'insert' | 'upsert'
  /** Called per written batch (speed cap). */
  pace(rows: number, bytes: number): Promise<void>
  errorLimit: { count: number | null; share: number | null }
}

export interface WriteResult {
  written: number
  deleted: number
  failed: number
}

/** A stream of row batches, each row `[key, ...values]`. */
export type RowBatches = AsyncIterable<(string | null)[][]>

export interface Connector {
  readonly kind: 'postgres' | 'mariadb'
  /** Column name → data type as the database names it (lower case). */
  columnTypes(table: string): Promise<Map<string, string>>
  sample(spec: SourceSpec, limit: number): Promise<(string | null)[][]>
  /** The newest value of a column (text), or null for an empty table. */
  maxOf(table: string, column: string, where: string | null): Promise<string | null>
  /** Rows as text values, in batches. */
  read(spec: SourceSpec): RowBatches
  /** Every key of the source (for deletes), as text. */
  keys(table: string, column: string, where: string | null): AsyncIterable<string[]>
  /**
   * A full delivery: loads into a fresh table beside the target, then swaps it in, so a run cut short leaves the
   * previous target untouched. The first column is the key (`_gs_key`).
   */
  replaceTable(table: string, columns: TargetColumn[], rows: RowBatches, options: WriteOptions): Promise<WriteResult>
  /** An incremental delivery in one transaction: deletes first, then upserts (or inserts). */
  applyChanges(table: string, columns: TargetColumn[], deletes: string[], rows: RowBatches, options: WriteOptions): Promise<WriteResult>
  /** Drops the delivered table; returns the rows it held (0 when it did not exist). */
  purge(table: string): Promise<number>
  close(): Promise<void>
}

const NUMERIC = /int|numeric|decimal|double|real|float|serial|number/
const TEXTUAL = /char|text|string|clob|json|uuid|enum/

/** Whether a source column of this database type can feed an item of this data type (SPEC §5.3). */
export function compatible(dataType: string, sqlType: string): boolean {
  switch (dataType) {
    case 'N':
    case 'Y':
    case 'B':
    case 'F':
    case 'I':
      return NUMERIC.test(sqlType)
    case 'D':
      return /date/.test(sqlType) || TEXTUAL.test(sqlType)
    case 'T':
      return /timestamp|datetime|date/.test(sqlType) || TEXTUAL.test(sqlType)
    case 'L':
      return /bool|tinyint|bit/.test(sqlType)
    default:
      return true
  }
}

export const KEY_COLUMN = '_gs_key'

/** Numeric ranges of a split key for `channels` parallel readers (DataX splitPk). */
export function splitRanges(min: number, max: number, channels: number): [number, number][] {
  const span = Math.max(1, Math.ceil((max - min + 1) / channels))
  const ranges: [number, number][] = []
  for (let from = min; from <= max; from += span) ranges.push([from, Math.min(max, from + span - 1)])
  return ranges
}

/** Merges parallel readers' batches as they come. */
export async function* mergeBatches<T>(sources: AsyncIterable<T>[]): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]())
  const pending = new Map(iterators.map((it, i) => [i, it.next().then((r) => ({ i, r }))]))
  while (pending.size > 0) {
    const { i, r } = await Promise.race(pending.values())
    if (r.done) {
      pending.delete(i)
      continue
    }
    pending.set(
      i,
      iterators[i].next().then((next) => ({ i, r: next })),
    )
    yield r.value
  }
}
