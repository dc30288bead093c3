import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { recordAudit } from '../../../platform/audit/record.ts'
import type { Ctx } from '../../../platform/context.ts'
import type { DbKind, Executor } from '../../../platform/db/database.ts'
import { conflict } from '../../../platform/http/errors.ts'
import {
  deleteEmptyMount,
  deleteLoadingBatch,
  ensureMount,
  failLoadingBatch,
  insertBatch,
  lastBatchNumber,
  loadingBatches,
  lockMountById,
  retainedBatches,
  updateBatch,
  updateMount,
} from '../queries.ts'
import { type RowSink, copySink, insertSink } from './bulk-load.ts'
import { LOAD_LOCK_NAMESPACE, isLoadAlive, markLoadDone, markLoadLive } from './cleanup.ts'
import { type LoadPlan, mountColumnsOf } from './load-plan.ts'
import { createKeyIndex, createManagedTable, dropKeyIndex, dropManagedTable, managedTableName, qualifiedName, quotedTableName } from './managed-table.ts'

/** What a table load needs beyond the request context: the engine, and on PostgreSQL the raw pool for COPY. */
export interface LoaderEnv {
  dbKind: DbKind
  pgPool: pg.Pool | null
}

/** The batch being loaded: its table stays invisible to readers until swapBatch(). */
export interface PendingBatch {
  id: string
  mountId: string
  mountCreated: boolean
  tableName: string
  sink: RowSink
  client: pg.PoolClient | null
  /**
   * Whether the unique key index exists and holds so far. On PostgreSQL the indexes are built on the empty
   * table, so PostgreSQL maintains them on its own core while this process parses; a duplicate key
   * drops the key index (copySink) and it is rebuilt, or the duplicates listed, at the end.
   */
  keyIndex: { holds: boolean }
  /** False once a row was refused and skipInvalidRows is known to be off: the rest is only checked. */
  writing: boolean
}

/** Registers the batch and creates its (empty, invisible) table in one short transaction. */
export async function beginBatch(ctx: Ctx, env: LoaderEnv, plan: LoadPlan, fileName: string, csvColumns: string[] | null): Promise<PendingBatch> {
  const id = randomUUID()
  const columns = plan.seal.physical
  markLoadLive(id)
  let client: pg.PoolClient | null = null
  try {
    if (env.dbKind === 'postgres') {
      if (!env.pgPool) throw new Error('PostgreSQL without a raw pool: COPY is not available')
      client = await env.pgPool.connect()
      // Held for the whole load on the COPY connection: other processes' cleanup sees the load is alive.
      await client.query('select pg_advisory_lock($1, hashtext($2))', [LOAD_LOCK_NAMESPACE, id])
      // Each COPY chunk commits without waiting for its WAL to reach disk (the wait stalled the load at every
      // chunk). Nothing is lost by it: readers see the batch only after the swap, whose commit waits for all
      // WAL before it, and a batch cut short by a crash is dropped at the next start. The connection is
      // closed after the load, so the setting goes with it.
      await client.query('set synchronous_commit = off')
    }
    const { mountId, mountCreated, tableName } = await ctx.db.transaction().execute(async (trx) => {
      const { mount, created } = await ensureMount(trx, plan.resourceId, 'table', ctx.actor.userId)
      // One load per mount at a time; a 'loading' batch whose loader died is cleaned up here.
      for (const other of await loadingBatches(trx, mount.id)) {
        if (await isLoadAlive(trx, other.id)) throw conflict('该目录正在导入另一批数据，请等待其完成后再上传')
        if (await failLoadingBatch(trx, other.id, ctx.now())) await dropManagedTable(trx, other.tableName)
      }
      const tableName = managedTableName(plan.resourceId, (await lastBatchNumber(trx, mount.id)) + 1)
      await insertBatch(trx, { id, mountId: mount.id, tableName, fileName, createdBy: ctx.actor.userId, startedAt: ctx.now() })
      await createManagedTable(trx, tableName, columns)
      if (client) {
        // PGlite has one core for everything: there, building the index after the load is cheaper.
        if (plan.keys.length > 0) await createKeyIndex(trx, tableName, plan.keys)
      }
      return { mountId: mount.id, mountCreated: created, tableName }
    })
    const table = quotedTableName(tableName)
    const keyIndex = { holds: client !== null && plan.keys.length > 0 }
    const dropUniqueIndex = async () => {
      keyIndex.holds = false
      await dropKeyIndex(ctx.db, tableName)
    }
    const sink = client
      ? copySink(
          client,
          table,
          columns.map((c) => c.column),
          { ...(keyIndex.holds ? { dropUniqueIndex } : {}), ...(csvColumns ? { csvColumns } : {}) },
        )
      : insertSink(
          ctx.db,
          table,
          columns.map((c) => ({ name: c.column, sqlType: c.sqlType })),
        )
    return { id, mountId, mountCreated, tableName, sink, client, writing: true, keyIndex }
  } catch (error) {
    markLoadDone(id)
    client?.release(true)
    throw error
  }
}

/** Drops the unfinished batch's table and its row: a failed upload (or a dry run) leaves no trace. */
export async function discardBatch(ctx: Ctx, batch: PendingBatch) {
  batch.sink.abort()
  // End the COPY connection first so its locks on the new table go away before the drop.
  batch.client?.release(true)
  batch.client = null
  await ctx.db.transaction().execute(async (trx) => {
    await deleteLoadingBatch(trx, batch.id)
    await dropManagedTable(trx, batch.tableName)
    if (batch.mountCreated) await deleteEmptyMount(trx, batch.mountId)
  })
}

/** What the swap records about a finished batch. */
export interface FinishedBatch {
  rows: number
  lastDataTime: Date
  encoding: string
  fileName: string
  rejectedCount: number
  rejectedSample: { line: number; reason: string }[]
  /** The items the file had a column for. */
  itemIds: string[]
  /** Extra facts for the audit record. */
  auditDetail: Record<string, unknown>
}

/**
 * The one short transaction that makes the new batch the one readers see. `guard` runs on the locked
 * mount before anything changes and may refuse the swap. The replaced batch is kept (its table stays)
 * for restoring; returns the tables of batches kept before it, to drop after the commit.
 */
export async function swapBatch(
  ctx: Ctx,
  plan: LoadPlan,
  batch: PendingBatch,
  done: FinishedBatch,
  guard?: (trx: Executor) => Promise<void>,
): Promise<string[]> {
  return ctx.db.transaction().execute(async (trx) => {
    const mount = await lockMountById(trx, batch.mountId)
    await guard?.(trx)
    const now = ctx.now()
    const older = await retainedBatches(trx, mount.id)
    for (const kept of older) await updateBatch(trx, kept.id, { replacedAt: null })
    if (mount.activeBatchId) await updateBatch(trx, mount.activeBatchId, { status: 'replaced', replacedAt: now })
    const columns = mountColumnsOf(plan.columns, plan.seal)
    await updateBatch(trx, batch.id, {
      status: 'active',
      encoding: done.encoding,
      rowsLoaded: done.rows,
      rowsRejected: done.rejectedCount,
      rejectedSample: JSON.stringify(done.rejectedSample),
      columns: JSON.stringify(columns),
      itemIds: JSON.stringify(done.itemIds),
      lastDataTime: done.lastDataTime,
      finishedAt: now,
    })
    await updateMount(trx, mount.id, {
      activeTable: qualifiedName(batch.tableName),
      activeBatchId: batch.id,
      columns: JSON.stringify(columns),
      rowCount: done.rows,
      lastDataTime: done.lastDataTime,
      updatedAt: now,
    })
    await recordAudit(trx, ctx, {
      action: 'mounts.table.upload',
      objectType: 'resource',
      objectId: plan.resourceId,
      detail: {
        mountId: mount.id,
        batchId: batch.id,
        fileName: done.fileName,
        rows: done.rows,
        rejected: done.rejectedCount,
        encoding: done.encoding,
        sealedItems: plan.seal.sealed.length,
        ...(mount.activeBatchId ? { replacedBatchId: mount.activeBatchId, rowsBefore: mount.rowCount } : {}),
        ...done.auditDetail,
      },
    })
    return older.map((b) => b.tableName)
  })
}
