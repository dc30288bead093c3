import { type Selectable, sql } from 'kysely'
import type pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import { sm3Hex, sm3HmacHex } from '../../platform/crypto/sm3.ts'
import { sm3HmacHexer } from '../../platform/crypto/sm3-hmac.ts'
import type { Db, Executor } from '../../platform/db/database.ts'
import type { GrantsTable, StoredItem } from '../../platform/db/schema.ts'
import { type Granted, columnMasks, grantFilterSql, grantedItems, maskRow, maskedFilterOf, pseudonymKeyOf } from '../gateway/index.ts'
import { type ActiveTableMount, openSealedValue, sealerFor } from '../mounts/index.ts'

/**
 * What a 库表 delivery sends to the consumer's node: the gateway's own items, masks and row filter
 * (gateway/grant-view.ts), so API and sync follow one policy. Each row carries `_gs_key`, the provider's key
 * as a keyed SM3 digest under the consumer's pseudonym salt: stable from run to run (so the node can upsert and
 * delete), useless for joining across consumers, and never the key itself.
 */

type Grant = Selectable<GrantsTable>

export interface TargetColumn {
  name: string
  /** A portable type the node's connector maps to its database: text, varchar(n), numeric, bigint, double, date, timestamp, boolean. */
  type: string
}

export interface DeliveryPlan {
  granted: Granted
  columns: TargetColumn[]
  keyItem: StoredItem
  pseudonymKey: string
  /** Changes whenever what may flow changes (items, masks, filter, salt): the next run is then a full one. */
  signature: string
}

const portableType = (item: StoredItem, masked: boolean): string => {
  if (masked) return 'text'
  switch (item.dataType) {
    case 'C':
      return item.length && item.length <= 4000 ? `varchar(${item.length})` : 'text'
    case 'N':
    case 'Y':
      return 'numeric'
    case 'I':
      return 'bigint'
    case 'B':
    case 'F':
      return 'double'
    case 'D':
      return 'date'
    case 'T':
      return 'timestamp'
    case 'L':
      return 'boolean'
    default:
      return 'text'
  }
}

/** The plan of a delivery under the grant as it stands, or a Chinese reason why nothing may flow. */
export function deliveryPlan(grant: Grant, items: readonly StoredItem[], dataKey: Buffer | null): DeliveryPlan | { refused: string } {
  const keyItem = items.find((item) => item.isPrimaryKey)
  if (!keyItem) return { refused: '该目录没有标明主键信息项，无法按库表交付' }
  const masked = maskedFilterOf(grant, items)
  if (masked) return { refused: `授权的行过滤条件「${masked}」作用于脱敏提供的信息项，暂停交付；请提供方调整授权` }
  const granted = grantedItems(grant, items)
  if (granted.length === 0) return { refused: '授权中已没有可提供的信息项' }
  const pseudonymKey = pseudonymKeyOf(dataKey, grant.consumerOrgId)
  const columns = granted.map(({ key, item, rule }) => ({ name: key.toLowerCase(), type: portableType(item, rule !== 'none') }))
  const signature = sm3Hex(JSON.stringify([granted.map(({ item, rule }) => [item.id, rule]), grant.rowFilter, columns, sm3Hex(pseudonymKey)]))
  return { granted, columns, keyItem, pseudonymKey, signature }
}

export interface DeliveryRow {
  key: string
  /** Masked values in plan.columns order, as text (null for SQL NULL). */
  values: (string | null)[]
  /** False for a changed row that the row filter now excludes: the node deletes it. */
  matches: boolean
}

/** The consumer's stable, keyed name of a provider key. */
export const deliveryKey = (plan: Pick<DeliveryPlan, 'pseudonymKey'>, key: string) => sm3HmacHex(`govshare-exchange-key:${plan.pseudonymKey}`, key)

/** `deliveryKey` for many keys of one plan. */
export const deliveryKeyer = (plan: Pick<DeliveryPlan, 'pseudonymKey'>) => sm3HmacHexer(`govshare-exchange-key:${plan.pseudonymKey}`)

const PAGE = 5000

/**
 * The mounted batch's rows after `afterLine` (0: all), in line order, masked; only matching rows in a full run.
 * On PostgreSQL read through a cursor on a connection of its own; on the embedded database page by line.
 */
export async function* deliveryRows(
  db: Db,
  pgPool: pg.Pool | null,
  dataKey: Buffer | null,
  grant: Grant,
  items: readonly StoredItem[],
  mount: ActiveTableMount,
  plan: DeliveryPlan,
  afterLine: number,
): AsyncGenerator<DeliveryRow[]> {
  const columnOf = new Map(mount.columns.map((c) => [c.itemId, c]))
  const filter = grantFilterSql(dataKey, columnOf, grant, items)
  if (filter === null || 'sealedFilter' in filter) return
  const selected = plan.granted.map(({ item }) => columnOf.get(item.id))
  const keyColumn = columnOf.get(plan.keyItem.id)
  if (!keyColumn) return
  const sealerOf = (column: typeof keyColumn) => (column.sealed ? sealerFor(column, dataKey) : null)
  const keySealer = sealerOf(keyColumn)
  const sealers = selected.map((c) => (c ? sealerOf(c) : null))
  const matches = filter.conditions.length > 0 ? sql`coalesce((${sql.join(filter.conditions, sql` and `)}), false)` : sql`true`
  const keyOf = deliveryKeyer(plan)
  const query = (from: number) =>
    sql`select _line::text as l, ${sql.ref(keyColumn.column)}::text as k, ${matches} as m,
      ${sql.join(selected.map((c, i) => (c ? sql`${sql.ref(c.column)}::text as ${sql.raw(`c${i}`)}` : sql`null::text as ${sql.raw(`c${i}`)}`)))}
      from ${sql.table(mount.tableName)} where _line > ${from}`
  const toRows = (rows: Record<string, unknown>[]): DeliveryRow[] =>
    rows.flatMap((row) => {
      const m = row.m === true
      if (!m && afterLine === 0) return []
      const key = keySealer ? String(openSealedValue(keySealer, grant.resourceId, keyColumn, row.k)) : String(row.k)
      const plain: Record<string, unknown> = {}
      plan.granted.forEach(({ key: name }, i) => {
        const raw = row[`c${i}`]
        plain[name] = sealers[i] && raw !== null ? openSealedValue(sealers[i], grant.resourceId, selected[i]!, raw) : raw
      })
      const masked = maskRow(plan.granted, plain, plan.pseudonymKey)
      return [{ key: keyOf(key), matches: m, values: plan.granted.map(({ key: name }) => textOf(masked[name])) }]
    })
  if (pgPool) {
    const client = await pgPool.connect()
    try {
      const compiled = sql`${query(afterLine)}`.compile(db)
      await client.query('begin isolation level repeatable read read only')
      await client.query(`declare delivery_rows no scroll cursor for ${compiled.sql}`, compiled.parameters as unknown[])
      for (;;) {
        const page = await client.query(`fetch ${PAGE} from delivery_rows`)
        if (page.rows.length === 0) break
        yield toRows(page.rows)
      }
      await client.query('commit')
      client.release()
    } catch (error) {
      client.release(true)
      throw error
    }
    return
  }
  for (let from = afterLine; ; ) {
    const page = await sql<Record<string, unknown>>`${query(from)} order by _line limit ${PAGE}`.execute(db)
    if (page.rows.length === 0) break
    from = Number(page.rows[page.rows.length - 1].l)
    yield toRows(page.rows)
  }
}

/** COPY text format of one value (`\N` is NULL), the format the node reads a delivery in. */
export const copyText = (value: string | null) => (value === null ? '\\N' : value.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c]!))
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' }
const COPY_UNESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' }
/** One field of PostgreSQL's COPY text output as its value (PostgreSQL writes only these escapes). */
const fromCopyText = (field: string): string | null =>
  field === '\\N' ? null : field.includes('\\') ? field.replace(/\\(.)/g, (_, c: string) => COPY_UNESCAPES[c] ?? c) : field

/**
 * The delivery as COPY text lines (`_gs_key`, whether the row passes the row filter, the masked values).
 * On PostgreSQL, when no selected column is sealed, the batch is read with COPY … TO STDOUT: PostgreSQL writes
 * the rows as text, unmasked columns pass through as it wrote them, and only the key and the masked columns
 * are decoded, masked (`columnMasks`, the gateway's rules) and encoded again. A full run leaves non-matching
 * rows out in SQL, as `deliveryRows` leaves them out in JavaScript. Otherwise the rows come from `deliveryRows`.
 */
export async function* deliveryLines(...args: Parameters<typeof deliveryRows>): AsyncGenerator<string> {
  const [db, pgPool, dataKey, grant, items, mount, plan, afterLine] = args
  const columnOf = new Map(mount.columns.map((c) => [c.itemId, c]))
  const selected = plan.granted.map(({ item }) => columnOf.get(item.id))
  const keyColumn = columnOf.get(plan.keyItem.id)
  const filter = grantFilterSql(dataKey, columnOf, grant, items)
  const copyable = pgPool && keyColumn && !keyColumn.sealed && selected.every((c) => !c?.sealed) && filter !== null && !('sealedFilter' in filter)
  const compiled = copyable
    ? (() => {
        const matches = filter.conditions.length > 0 ? sql`coalesce((${sql.join(filter.conditions, sql` and `)}), false)` : sql`true`
        return sql`select ${sql.ref(keyColumn.column)}::text, ${matches},
          ${sql.join(selected.map((c) => (c ? sql`${sql.ref(c.column)}::text` : sql`null::text`)))}
          from ${sql.table(mount.tableName)} where _line > ${afterLine}${afterLine === 0 ? sql` and ${matches}` : sql``}`.compile(db)
      })()
    : null
  const text = compiled && inlineParameters(compiled.sql, compiled.parameters)
  if (!pgPool || !text) {
    for await (const page of deliveryRows(...args)) {
      yield page.map((r) => `${r.key}\t${r.matches ? 't' : 'f'}\t${r.values.map(copyText).join('\t')}\n`).join('')
    }
    return
  }
  const masks = columnMasks(plan.granted, plan.pseudonymKey)
  const passes = plan.granted.map(({ rule }) => rule === 'none')
  const hmac = deliveryKeyer(plan)
  const line = (row: string) => {
    const fields = row.split('\t')
    let out = `${hmac(fromCopyText(fields[0]) ?? '')}\t${fields[1]}`
    for (let i = 0; i < masks.length; i++) {
      const field = fields[i + 2]
      out += `\t${passes[i] ? field : copyText(textOf(masks[i](fromCopyText(field))))}`
    }
    return `${out}\n`
  }
  const client = await pgPool.connect()
  try {
    await client.query('begin isolation level repeatable read read only')
    // The literals written in above are read as written (no backslash escapes).
    await client.query('set local standard_conforming_strings = on')
    let rest: Buffer | null = null
    for await (const chunk of client.query(copyTo(`copy (${text}) to stdout`)) as AsyncIterable<Buffer>) {
      const data: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk
      const end = data.lastIndexOf(10)
      if (end < 0) {
        rest = data
        continue
      }
      rest = end + 1 < data.length ? data.subarray(end + 1) : null
      const rows = data.toString('utf8', 0, end).split('\n')
      let out = ''
      for (const row of rows) out += line(row)
      yield out
    }
    if (rest) throw new Error('COPY output ended inside a row')
    await client.query('commit')
    client.release()
  } catch (error) {
    client.release(true)
    throw error
  }
}

/**
 * A compiled statement with its parameters written in as literals (COPY takes none). Only the scalar values the
 * row filter binds are accepted; anything else returns null and the caller reads through the cursor instead.
 * A literal of unknown type is resolved by PostgreSQL as an untyped parameter is.
 */
function inlineParameters(text: string, parameters: readonly unknown[]): string | null {
  const literals: string[] = []
  for (const value of parameters) {
    if (value === null) literals.push('null')
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      literals.push(`'${String(value).replaceAll("'", "''")}'`)
    } else return null
  }
  // Placeholders outside quoted names and literals ($1 … $n, as Kysely compiles them).
  let out = ''
  for (const part of text.split(/('(?:[^']|'')*'|"(?:[^"]|"")*")/)) {
    out += part.startsWith("'") || part.startsWith('"') ? part : part.replace(/\$(\d+)/g, (_, n: string) => literals[Number(n) - 1] ?? '$?')
  }
  return out.includes('$?') ? null : out
}

function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return value.toISOString()
  return String(value)
}

/** The newest line of a batch (an incremental run delivers the lines after it). */
export async function maxLine(db: Executor, mount: ActiveTableMount): Promise<number> {
  const result = await sql<{ n: string | null }>`select max(_line)::text as n from ${sql.table(mount.tableName)}`.execute(db)
  return Number(result.rows[0]?.n ?? 0)
}
