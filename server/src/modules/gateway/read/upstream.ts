import type { StoredItem } from '../../../platform/db/schema.ts'
import type { ApiMount } from '../../mounts/index.ts'
import { refuse } from '../refusals.ts'
import { rowMatches } from '../row-filter.ts'
import { type Grant, type GrantedItem, filterItem } from './plan.ts'
import { type UpstreamCall, UpstreamUnavailable, callUpstream } from './upstream-call.ts'

export async function proxyUpstream(
  call: UpstreamCall,
  api: ApiMount,
  grant: Grant,
  items: readonly StoredItem[],
  granted: readonly GrantedItem[],
  lookups: { item: StoredItem; value: string }[],
  limit: number,
  offset: number,
): Promise<Record<string, unknown>[]> {
  const params = Object.fromEntries(lookups.map(({ item, value }) => [item.nameEn!, value]))
  let list: unknown[]
  try {
    list = await callUpstream(call, api, params)
  } catch (error) {
    // Whatever the upstream said or did, the caller learns only that it failed or was too slow.
    if (error instanceof UpstreamUnavailable) throw error.timedOut ? refuse.timeout() : refuse.upstream()
    throw error
  }
  const filters = Object.entries(grant.rowFilter).map(([key, condition]) => ({ key: filterItem(items, key)?.nameEn ?? key, condition }))
  const rows = list.filter((row): row is Record<string, unknown> => !!row && typeof row === 'object')
  return rows
    .filter((row) => filters.every(({ key, condition }) => rowMatches(row[key], condition)))
    .filter((row) => lookups.every(({ item, value }) => String(row[item.nameEn!]) === value))
    .slice(offset, offset + limit)
    .map((row) => Object.fromEntries(granted.map(({ key }) => [key, row[key] ?? null])))
}
