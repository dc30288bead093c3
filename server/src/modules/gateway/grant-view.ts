import { type RawBuilder, type Selectable, sql } from 'kysely'
import type { GrantsTable, MaskingRule, MountColumn, StoredItem } from '../../platform/db/schema.ts'
import { maskValue } from '../../platform/masking/masking.ts'
import { maskedFilterKeys } from '../../platform/masking/masked-conditions.ts'
import { pseudonymSecret } from '../../platform/masking/pseudonym-secret.ts'
import { canonicalLookup, digestValue, sealerFor } from '../mounts/index.ts'
import { rowConditionSql } from './row-filter.ts'

/**
 * What a grant lets flow, whichever way the data leaves (the gateway's records, the exchange's table
 * delivery): the items, their masks, the row filter as SQL. One policy for API and sync (ANCHORS §7.12).
 */

type Grant = Selectable<GrantsTable>

/** The items that flow under a grant today: granted, still shared by the published entry, not suspended (SPEC §7.2). */
export const flows = (grant: Grant, item: StoredItem) => grant.itemIds.includes(item.id) && item.shareType !== 3 && !grant.suspendedItemIds.includes(item.id)

/** The granted items with their output key (nameEn) and masking rule. */
export function grantedItems(grant: Grant, items: readonly StoredItem[]) {
  return items
    .filter((item) => flows(grant, item))
    .map((item) => ({ item, key: item.nameEn ?? item.name, rule: (grant.masking[item.id] ?? 'none') as MaskingRule }))
}
export type Granted = ReturnType<typeof grantedItems>

/** The item a row-filter key names (by its English name, any letter case). */
export function filterItem(items: readonly StoredItem[], key: string): StoredItem | undefined {
  return items.find((i) => i.nameEn?.toLowerCase() === key.toLowerCase())
}

/** The salt of a consumer's SM3 pseudonyms: per deployment (data key) and consumer organisation. */
export const pseudonymKeyOf = (dataKey: Buffer | null, consumerOrgId: string) => `${pseudonymSecret(dataKey)}:${consumerOrgId}`

/** One row as it may leave the platform: only the granted items, each masked by its rule (SPEC §8.3 S9). */
export function maskRow(granted: Granted, row: Record<string, unknown>, pseudonymKey: string): Record<string, unknown> {
  return Object.fromEntries(granted.map(({ key, rule }) => [key, maskValue(rule, row[key] ?? null, pseudonymKey)]))
}

/** The first row-filter key that works on a masked item (such a grant is not served until the provider changes it). */
export const maskedFilterOf = (grant: Grant, items: readonly StoredItem[]): string | undefined => maskedFilterKeys(grant.rowFilter, items, grant)[0]

/**
 * The grant's row filter as SQL conditions over a mounted table; null when nothing can match (fail closed: a
 * filter on a column the mounted data lacks returns nothing rather than everything), or the key of a filter an
 * encrypted column cannot answer (only equality is in its keyed digest).
 */
export function grantFilterSql(
  dataKey: Buffer | null,
  columnOf: ReadonlyMap<string, MountColumn>,
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
      return canonical === null ? [] : [digestValue(sealer, column.itemId, canonical)]
    })
    if (digests.length === 0) return null
    conditions.push(sql<boolean>`${sql.ref(column.sealed.digestColumn)} in (${sql.join(digests)})`)
  }
  return { conditions }
}
