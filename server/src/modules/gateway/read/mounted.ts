import { CompiledQuery, type RawBuilder, sql } from 'kysely'
import type { Db } from '../../../platform/db/database.ts'
import type { StoredItem } from '../../../platform/db/schema.ts'
import { type ActiveTableMount, canonicalLookup, digestValue, formatOf, openSealedValue, sealerFor } from '../../mounts/index.ts'
import { refuse } from '../refusals.ts'
import { rowConditionSql } from '../row-filter.ts'
import { type Grant, type GrantedItem, filterItem } from './plan.ts'

/** What a read of a mounted table needs: the database, the data key of sealed columns, and the table as it is now. */
export interface MountedReadEnv {
  db: Db
  dataKey: Buffer | null
  /** The mount's active table read again, bypassing caches (after a re-upload dropped the one read). */
  freshTable(resourceId: string): Promise<ActiveTableMount | null | undefined>
}

/** A compiled read of a mounted table: the statement and the grant's own parameters (its row filter). */
interface ReadShape {
  sql: string
  fixed: readonly unknown[]
}

/**
 * Compiled reads by shape: per grant (a grant reloaded from the database is a new object, and its shapes
 * go with the old one), table, items and lookup items. Only the lookup values, limit and offset change
 * from call to call; building and compiling the statement every call cost about 25 µs of CPU a call.
 */
const compiledReads = new WeakMap<Grant, Map<string, ReadShape>>()

type ColumnOf = Map<string, ActiveTableMount['columns'][number]>

/**
 * The grant's row filter as SQL conditions over a mounted table (the gateway's reads and the exchange's
 * table delivery); null when nothing can match (fail closed: a filter on a column the mounted data lacks
 * returns nothing rather than everything), or the key of a filter an encrypted column cannot answer
 * (only equality is in its keyed digest).
 */
export function grantFilterSql(
  dataKey: Buffer | null,
  columnOf: ReadonlyMap<string, ActiveTableMount['columns'][number]>,
  grant: Grant,
  items: readonly StoredItem[],
): { conditions: RawBuilder<boolean>[] } | { sealedFilter: string } | null {
  const itemById = new Map(items.map((item) => [item.id, item]))
  const conditions: RawBuilder<boolean>[] = []
  for (const [key, condition] of Object.entries(grant.rowFilter)) {
    const filtered = filterItem(items, key)
    const column = columnOf.get(filtered?.id ?? '')
    if (!column) return null
    if (!column.sealed) {
      conditions.push(rowConditionSql(column.column, condition))
      continue
    }
    if (!('eq' in condition) && !('in' in condition)) return { sealedFilter: filtered!.nameEn ?? key }
    const sealer = sealerFor(column, dataKey)
    const digests = ('eq' in condition ? [condition.eq] : condition.in).flatMap((v) => {
      const canonical = canonicalLookup(itemById.get(column.itemId)!, String(v))
      return canonical === null ? [] : [digestValue(sealer, column.itemId, canonical, formatOf(column))]
    })
    if (digests.length === 0) return null
    conditions.push(sql<boolean>`${sql.ref(column.sealed.digestColumn)} in (${sql.join(digests)})`)
  }
  return { conditions }
}

/**
 * The read statement of a shape, or null when nothing can match (fail closed: a filter or a lookup on a
 * column the mounted data lacks returns nothing rather than everything).
 */
function readShape(
  env: MountedReadEnv,
  mount: ActiveTableMount,
  columnOf: ColumnOf,
  grant: Grant,
  items: readonly StoredItem[],
  selected: readonly GrantedItem[],
  lookups: readonly { item: StoredItem }[],
): ReadShape | null {
  const filter = grantFilterSql(env.dataKey, columnOf, grant, items)
  if (filter === null) return null
  if ('sealedFilter' in filter) throw refuse.sealedFilter(filter.sealedFilter)
  const conditions = [...filter.conditions]
  for (const { item } of lookups) {
    const column = columnOf.get(item.id)
    if (!column) return null
    conditions.push(sql<boolean>`${sql.ref(column.sealed ? column.sealed.digestColumn : column.column)} = ${''}`)
  }
  // Checked after the filter, so a filter the encrypted data cannot answer is refused even then.
  if (selected.length === 0) return null
  const compiled = sql`select ${sql.join(selected.map(({ item }, i) => sql`${sql.ref(columnOf.get(item.id)!.column)} as ${sql.raw(`c${i}`)}`))}
    from ${sql.table(mount.tableName)}
    ${conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``}
    order by _line limit ${0} offset ${0}`.compile(env.db)
  // The row filter's parameters come first; the lookups', the limit and the offset (the call's own) last.
  return { sql: compiled.sql, fixed: compiled.parameters.slice(0, compiled.parameters.length - lookups.length - 2) }
}

export async function readMountedTable(
  env: MountedReadEnv,
  mount: ActiveTableMount,
  grant: Grant,
  items: readonly StoredItem[],
  granted: readonly GrantedItem[],
  lookups: { item: StoredItem; value: string }[],
  limit: number,
  offset: number,
): Promise<Record<string, unknown>[]> {
  const columnOf: ColumnOf = new Map(mount.columns.map((c) => [c.itemId, c]))
  const selected = granted.filter(({ item }) => columnOf.has(item.id))
  const shapeKey = `${mount.tableName}|${selected.map(({ item }) => item.id).join(',')}|${lookups.map(({ item }) => item.id).join(',')}`
  let shapes = compiledReads.get(grant)
  if (!shapes) compiledReads.set(grant, (shapes = new Map()))
  let shape = shapes.get(shapeKey)
  if (!shape) {
    const built = readShape(env, mount, columnOf, grant, items, selected, lookups)
    if (!built) return []
    shapes.set(shapeKey, (shape = built))
  }
  // Each lookup as its column holds it: in the column's own type (the canonical form), so the key's index
  // is used, or as the keyed digest of an encrypted column. A value no row could hold matches nothing.
  const lookupValues: string[] = []
  for (const { item, value } of lookups) {
    const canonical = canonicalLookup(item, value)
    if (canonical === null) return []
    const column = columnOf.get(item.id)!
    lookupValues.push(column.sealed ? digestValue(sealerFor(column, env.dataKey), item.id, canonical, formatOf(column)) : canonical)
  }
  let rows: Record<string, unknown>[]
  try {
    rows = (await env.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(shape.sql, [...shape.fixed, ...lookupValues, limit, offset]))).rows
  } catch (error) {
    // A re-upload swapped and dropped the table between lookup and read: read the new batch once more.
    if ((error as { code?: string }).code !== '42P01') throw error
    const fresh = await env.freshTable(grant.resourceId)
    if (!fresh || fresh.tableName === mount.tableName) throw refuse.noData()
    return readMountedTable(env, fresh, grant, items, granted, lookups, limit, offset)
  }
  const sealers = selected.map(({ item }) => (columnOf.get(item.id)!.sealed ? sealerFor(columnOf.get(item.id)!, env.dataKey) : null))
  // Sealed cells are decrypted here, just before masking (serve()), and never leave as ciphertext.
  return rows.map((row) =>
    Object.fromEntries(
      selected.map(({ key, item }, i) => [
        key,
        sealers[i] ? openSealedValue(sealers[i], grant.resourceId, columnOf.get(item.id)!, row[`c${i}`]) : row[`c${i}`],
      ]),
    ),
  )
}
