import type { Selectable } from 'kysely'
import { SHARE_TYPE } from '../../../../../common/catalog.ts'
import type { GrantsTable, MaskingRule, StoredItem } from '../../../platform/db/schema.ts'
import { isMasked, maskedFilterKeys } from '../../../platform/masking/masked-conditions.ts'
import { refuse } from '../refusals.ts'

export type Grant = Selectable<GrantsTable>

/** What a published entry gives a read: its items (and, for the 外网 check, whether anything is 涉密). */
export interface EntryItems {
  secret?: boolean
  items: readonly StoredItem[]
}

export interface GrantedItem {
  item: StoredItem
  /** The output key (the item's English name) and the grant's masking rule. */
  key: string
  rule: MaskingRule
}

export interface Lookup {
  item: StoredItem
  value: string
}

/** What a call reads, decided from the entry, the grant and the query alone. */
export interface ReadPlan {
  granted: GrantedItem[]
  lookups: Lookup[]
  limit: number
  offset: number
}

const RESERVED = new Set(['limit', 'offset', 'businessRef'])

function pageOf(query: Record<string, string>) {
  const limit = query.limit === undefined ? 20 : Number(query.limit)
  const offset = query.offset === undefined ? 0 : Number(query.offset)
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw refuse.param('limit 应为 1–1000 的整数')
  if (!Number.isInteger(offset) || offset < 0 || offset > 10_000_000) throw refuse.param('offset 应为非负整数')
  return { limit, offset }
}

/** The items that flow under a grant today: granted, still shared by the published entry, not suspended (SPEC §7.2). */
const flows = (grant: Grant, item: StoredItem) =>
  grant.itemIds.includes(item.id) && item.shareType !== SHARE_TYPE.notShared && !grant.suspendedItemIds.includes(item.id)

/** The granted items with their output key (nameEn) and masking rule. */
export function grantedItems(grant: Grant, items: readonly StoredItem[]): GrantedItem[] {
  return items
    .filter((item) => flows(grant, item))
    .map((item) => ({ item, key: item.nameEn ?? item.name, rule: (grant.masking[item.id] ?? 'none') as MaskingRule }))
}

/** The item a row-filter key names (by its English name, any letter case). */
export function filterItem(items: readonly StoredItem[], key: string): StoredItem | undefined {
  return items.find((i) => i.nameEn?.toLowerCase() === key.toLowerCase())
}

// Per entry (cached objects): its items by lower-cased English name, built once instead of per call.
const itemsByKey = new WeakMap<readonly StoredItem[], Map<string, StoredItem>>()
// Per grant (cached objects): its lookup keys, lower-cased.
const lookupKeysOf = new WeakMap<Grant, Set<string>>()

/**
 * The read plan of a call, or the query key that asks a masked item that is not a lookup key (a probe: the
 * caller counts it as a miss, then refuses). Pure: no I/O; the other refusals are thrown as GatewayRefusal.
 */
export function planRead(grant: Grant, entry: EntryItems, query: Record<string, string>): { plan: ReadPlan } | { maskedLookup: string } {
  // Refused at decision time now; a grant made before that is not served until the provider changes it.
  const [maskedFilter] = maskedFilterKeys(grant.rowFilter, entry.items, grant)
  if (maskedFilter) throw refuse.maskedFilter(maskedFilter)
  const { limit, offset } = pageOf(query)
  const granted = grantedItems(grant, entry.items)
  let byKey = itemsByKey.get(entry.items)
  if (!byKey) itemsByKey.set(entry.items, (byKey = new Map(entry.items.filter((i) => i.nameEn).map((item) => [item.nameEn!.toLowerCase(), item]))))
  let lookupKeys = lookupKeysOf.get(grant)
  if (!lookupKeys) lookupKeysOf.set(grant, (lookupKeys = new Set(grant.lookupKeys.map((k) => k.toLowerCase()))))
  const lookups: Lookup[] = []
  for (const [key, value] of Object.entries(query)) {
    if (RESERVED.has(key)) continue
    const item = byKey.get(key.toLowerCase())
    if (!item || !flows(grant, item)) throw refuse.param(`查询参数「${key}」不是已授权信息项的英文名`)
    if (value.length > 200) throw refuse.param(`查询参数「${key}」过长`)
    if (isMasked(grant.masking, item.id) && !lookupKeys.has(key.toLowerCase())) return { maskedLookup: key }
    lookups.push({ item, value })
  }
  for (const key of grant.lookupKeys) {
    if (!lookups.some((l) => l.item.nameEn?.toLowerCase() === key.toLowerCase())) throw refuse.param(`该授权为联机查询，必须提供查询键「${key}」`)
  }
  return { plan: { granted, lookups, limit, offset } }
}
