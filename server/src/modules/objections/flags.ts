import type { Executor } from '../../platform/db/database.ts'
import { createSignal } from '../../platform/signal.ts'
import { R11_RULE } from './schemas.ts'

/**
 * SPEC §7.8: the records of an entry under an accepted, open objection carry 有异议. A record's key is
 * the value of the entry's primary-key item (several key items joined by "|"), as the raiser gave it.
 */
export function recordKeyOf(row: Record<string, unknown>, keyColumns: readonly string[]): string | null {
  if (keyColumns.length === 0) return null
  const parts = keyColumns.map((column) => row[column])
  if (parts.some((part) => part === null || part === undefined)) return null
  return parts.map(String).join('|')
}

/** The keys, among `keys`, of records of `resourceId` flagged 有异议 now (one indexed query). */
export async function flaggedRecordKeys(db: Executor, resourceId: string, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set()
  const rows = await db
    .selectFrom('objectionRecords as r')
    .innerJoin('objections as o', 'o.id', 'r.objectionId')
    .select('r.recordKey')
    .where('r.resourceId', '=', resourceId)
    .where('r.recordKey', 'in', [...new Set(keys)])
    .where('o.flagged', '=', true)
    .execute()
  return new Set(rows.map((row) => row.recordKey))
}

// Past this many flagged records an entry's flags are asked per read instead of held in memory.
const FLAGGED_KEYS_HELD = 10_000

/**
 * Every flagged record key of `resourceId`, or 'many' past `held` keys: the gateway holds the set
 * (usually empty) for its cache period instead of asking once per call.
 */
export async function flaggedKeysOf(db: Executor, resourceId: string, held = FLAGGED_KEYS_HELD): Promise<Set<string> | 'many'> {
  const rows = await db
    .selectFrom('objectionRecords as r')
    .innerJoin('objections as o', 'o.id', 'r.objectionId')
    .select('r.recordKey')
    .where('r.resourceId', '=', resourceId)
    .where('o.flagged', '=', true)
    .limit(held + 1)
    .execute()
  return rows.length > held ? 'many' : new Set(rows.map((row) => row.recordKey))
}

/** Emitted after a commit that flagged or unflagged records, so a cached set is dropped at once in this process. */
const flagSignal = createSignal()
export const onObjectionFlagsChanged = flagSignal.on
export const objectionFlagsChanged = flagSignal.emit

export { R11_RULE }
