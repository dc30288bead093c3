import type { Ctx } from '../../../platform/context.ts'
import { REJECTED_LIST_MAX, type LoadState, rejectRow, rowsRefused, sortRejected } from '../ingest/load-file.ts'
import { canonicalInstant } from '../ingest/values.ts'
import type { PendingBatch } from './batch.ts'
import { removeDuplicateKeys, settleKeyIndex } from './keys.ts'
import type { LoadPlan } from './load-plan.ts'
import { analyzeTable, maxDataTime } from './managed-table.ts'
import { mergeWithActive } from './merge.ts'

/** A loaded batch ready to swap in: its row count and data time, and for an incremental feed the merge point. */
export interface LoadedBatch {
  batch: PendingBatch
  rows: number
  lastDataTime: Date
  baseMaxLine?: number
}

/**
 * Finishes the load in the still invisible table: the unique key (duplicates refused or, when bad rows are
 * skipped, removed), an incremental feed's merge with the active batch, statistics and the data time.
 * Throws the 400 listing bad rows when any were found and they are not skipped.
 */
export async function finishLoad(
  ctx: Ctx,
  plan: LoadPlan,
  state: LoadState,
  skip: boolean,
  incremental?: { deletedKeys: readonly string[] },
): Promise<LoadedBatch> {
  const batch = state.batch!
  if (!batch.writing) throw rowsRefused(state)
  let rows = await batch.sink.finish()
  let duplicatesRemoved = false
  const duplicates = await settleKeyIndex(ctx, plan, batch, REJECTED_LIST_MAX)
  if (duplicates) {
    const keyHeader = plan.primaryKeys.map((k) => state.mapping!.headerOf[plan.columns.indexOf(k)]).join('+')
    for (const dup of duplicates.sample) {
      const problem = { line: dup.line, column: keyHeader, message: `主键重复（与第 ${dup.firstLine} 行相同）` }
      rejectRow(state, { line: dup.line, reason: `「${keyHeader}」${problem.message}` }, [problem])
    }
    state.rejectedCount += duplicates.total - duplicates.sample.length
    sortRejected(state)
    if (!skip) throw rowsRefused(state)
    const removed = await removeDuplicateKeys(ctx, plan, batch)
    rows -= removed
    duplicatesRemoved = removed > 0
  }
  if (state.rejectedCount > 0 && !skip) throw rowsRefused(state)
  const merged = incremental ? await mergeWithActive(ctx, plan, batch, incremental) : null
  if (merged) rows = merged.rows

  await analyzeTable(ctx.db, batch.tableName)
  // The newest time seen while loading; read back instead when duplicate keys were removed since.
  const timestamp = plan.timestampAt >= 0 ? plan.columns[plan.timestampAt] : null
  const dataTime = !timestamp
    ? null
    : duplicatesRemoved
      ? await maxDataTime(ctx.db, batch.tableName, timestamp)
      : state.newestTime === null
        ? null
        : canonicalInstant(state.newestTime)
  const newest = merged?.lastDataTime && (!dataTime || merged.lastDataTime > dataTime) ? merged.lastDataTime : dataTime
  return { batch, rows, lastDataTime: newest ?? ctx.now(), ...(merged ? { baseMaxLine: merged.baseMaxLine } : {}) }
}
