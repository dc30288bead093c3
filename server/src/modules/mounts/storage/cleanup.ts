import { sql } from 'kysely'
import { numberParameter } from '../../../platform/config/parameters.ts'
import type { Db, Executor } from '../../../platform/db/database.ts'
import { dropManagedTable, existingManagedTables } from './managed-table.ts'
import { failLoadingBatch, loadingBatches, retiredBatchTables } from '../queries.ts'

/**
 * Which 'loading' batches are still being loaded by someone alive. In this process: the set
 * below. In another process (PostgreSQL only): the loader holds a session advisory lock keyed
 * on the batch id on its COPY connection; PostgreSQL releases it when that process dies.
 */
const liveLoads = new Set<string>()

// Any constant: the namespace of the per-batch advisory locks (the migrator and audit chain use 7_370_700/1).
export const LOAD_LOCK_NAMESPACE = 7_370_710

const DAY_MS = 86_400_000

export const markLoadLive = (batchId: string) => liveLoads.add(batchId)
export const markLoadDone = (batchId: string) => liveLoads.delete(batchId)

/** True when the batch's loader is alive (call inside a transaction: the probe lock is held until it ends). */
export async function isLoadAlive(trx: Executor, batchId: string): Promise<boolean> {
  if (liveLoads.has(batchId)) return true
  const probe = await sql<{ free: boolean }>`select pg_try_advisory_xact_lock(${LOAD_LOCK_NAMESPACE}, hashtext(${batchId})) as free`.execute(trx)
  return !probe.rows[0].free
}

export interface CleanupResult {
  /** Batches found 'loading' with no live loader, now 'failed'. */
  failedBatches: string[]
  /** Managed tables dropped (of those batches, or left behind by an interrupted swap). */
  droppedTables: string[]
}

/**
 * Start-up (and any-time) repair after an upload that died mid-load: every 'loading' batch whose
 * loader is gone becomes 'failed' and its table is dropped; tables of replaced or failed batches
 * that still exist are dropped too, except the replaced batch a mount keeps for restoring within the
 * period of parameter mounts.restoreDays. Active batches are never touched, so readers keep the
 * previous data. Safe to run while other uploads are in progress, in this process or another.
 */
export async function cleanupStaleBatches(db: Db, now: () => Date = () => new Date()): Promise<CleanupResult> {
  const keptSince = new Date(now().getTime() - (await numberParameter(db, 'mounts.restoreDays')) * DAY_MS)
  const result: CleanupResult = { failedBatches: [], droppedTables: [] }
  for (const batch of await loadingBatches(db)) {
    await db.transaction().execute(async (trx) => {
      if (await isLoadAlive(trx, batch.id)) return
      if (!(await failLoadingBatch(trx, batch.id, now()))) return
      await dropManagedTable(trx, batch.tableName)
      result.failedBatches.push(batch.id)
      result.droppedTables.push(batch.tableName)
    })
  }
  const existing = await existingManagedTables(db)
  for (const batch of await retiredBatchTables(db, keptSince)) {
    if (!existing.has(batch.tableName)) continue
    await dropManagedTable(db, batch.tableName)
    result.droppedTables.push(batch.tableName)
  }
  return result
}
