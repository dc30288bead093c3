import type { Ctx } from '../../../platform/context.ts'
import type { PendingBatch } from './batch.ts'
import type { LoadPlan } from './load-plan.ts'
import { createKeyIndex, deleteDuplicateKeys, findDuplicateKeys } from './managed-table.ts'

/** A key that appears more than once: its later line and the first line that has it. */
export interface DuplicateKeys {
  sample: { line: number; firstLine: number }[]
  total: number
}

/**
 * Makes the batch's unique key index hold. Returns null when it does; otherwise the duplicates found
 * (at most `listMax` listed), which `removeDuplicateKeys` can drop when bad rows are skipped.
 */
export async function settleKeyIndex(ctx: Ctx, plan: LoadPlan, batch: PendingBatch, listMax: number): Promise<DuplicateKeys | null> {
  if (plan.primaryKeys.length === 0 || batch.keyIndex.holds) return null
  if (await createKeyIndex(ctx.db, batch.tableName, plan.keys)) return null
  return findDuplicateKeys(ctx.db, batch.tableName, plan.keys, listMax)
}

/** Deletes every later row of a duplicated key and builds the index; returns the rows removed. */
export async function removeDuplicateKeys(ctx: Ctx, plan: LoadPlan, batch: PendingBatch): Promise<number> {
  const removed = await deleteDuplicateKeys(ctx.db, batch.tableName, plan.keys)
  if (!(await createKeyIndex(ctx.db, batch.tableName, plan.keys))) throw new Error('duplicate keys remain after removing them')
  return removed
}
