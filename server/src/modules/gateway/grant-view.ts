import type { StoredItem } from '../../platform/db/schema.ts'
import { maskValue } from '../../platform/masking/masking.ts'
import { maskedFilterKeys } from '../../platform/masking/masked-conditions.ts'
import { pseudonymSecret } from '../../platform/masking/pseudonym-secret.ts'
import type { Grant, GrantedItem } from './read/plan.ts'

/**
 * What a grant lets flow, whichever way the data leaves (the gateway's records, the exchange's table
 * delivery): the items, their masks, the row filter as SQL. One policy for API and sync (ANCHORS §7.12).
 */

export { grantFilterSql } from './read/mounted.ts'
export { grantedItems } from './read/plan.ts'
export type Granted = GrantedItem[]

/** The salt of a consumer's SM3 pseudonyms: per deployment (data key) and consumer organisation. */
export const pseudonymKeyOf = (dataKey: Buffer | null, consumerOrgId: string) => `${pseudonymSecret(dataKey)}:${consumerOrgId}`

/** One row as it may leave the platform: only the granted items, each masked by its rule (SPEC §8.3 S9). */
export function maskRow(granted: Granted, row: Record<string, unknown>, pseudonymKey: string): Record<string, unknown> {
  return Object.fromEntries(granted.map(({ key, rule }) => [key, maskValue(rule, row[key] ?? null, pseudonymKey)]))
}

/**
 * The same masks as `maskRow`, one function per granted item in order, for paths that stream rows as text
 * columns rather than objects (the exchange's table delivery): each applies `maskValue` with the item's rule.
 */
export function columnMasks(granted: Granted, pseudonymKey: string): ((value: string | null) => unknown)[] {
  return granted.map(
    ({ rule }) =>
      (value: string | null) =>
        maskValue(rule, value, pseudonymKey),
  )
}

/** The first row-filter key that works on a masked item (such a grant is not served until the provider changes it). */
export const maskedFilterOf = (grant: Grant, items: readonly StoredItem[]): string | undefined => maskedFilterKeys(grant.rowFilter, items, grant)[0]
