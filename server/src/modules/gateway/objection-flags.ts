import type { Executor } from '../../platform/db/database.ts'
import type { StoredItem } from '../../platform/db/schema.ts'
import { R11_RULE, flaggedRecordKeys, recordKeyOf } from '../objections/index.ts'

/**
 * SPEC §7.8: a record under an accepted, open objection is marked `_objection: true` (a leading
 * underscore cannot be an item's English name, so it never hides a data field), and the answer carries
 * the R-11 rule for the counter staff. Keys are read from the rows before masking. `held` is the entry's
 * flagged set from the gateway's cache (a flag set in another process shows within its period), or 'many'.
 */
export async function withObjectionFlags(
  db: Executor,
  held: Set<string> | 'many',
  resourceId: string,
  items: readonly StoredItem[],
  rows: readonly Record<string, unknown>[],
  out: Record<string, unknown>[],
) {
  if (held !== 'many' && held.size === 0) return {}
  const keyColumns = items.filter((item) => item.isPrimaryKey && item.nameEn).map((item) => item.nameEn!)
  const keys = rows.map((row) => recordKeyOf(row, keyColumns))
  const flagged =
    held === 'many'
      ? await flaggedRecordKeys(
          db,
          resourceId,
          keys.filter((key): key is string => key !== null),
        )
      : held
  if (flagged.size === 0) return {}
  keys.forEach((key, index) => {
    if (key !== null && flagged.has(key)) out[index]._objection = true
  })
  return { objectionNotice: R11_RULE }
}
