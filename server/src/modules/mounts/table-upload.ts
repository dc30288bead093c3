import type { Multipart } from '@fastify/multipart'
import type { Ctx } from '../../platform/context.ts'
import { fieldError } from '../../platform/http/errors.ts'
import { uploadBudget } from '../../platform/uploads/memory-budget.ts'
import { type LoadState, loadFile, newLoadState } from './ingest/load-file.ts'
import { cleanFileName, readingUpload } from './ingest/upload-input.ts'
import { mountsChanged } from './mount-signal.ts'
import { findBatchItems, findMount } from './queries.ts'
import type { UploadPreviewOut, UploadTableOut } from './schemas.ts'
import type { OwnedEntry } from './service.ts'
import { type LoaderEnv, discardBatch, swapBatch, beginBatch } from './storage/batch.ts'
import { markLoadDone } from './storage/cleanup.ts'
import { type LoadedBatch, finishLoad } from './storage/finish.ts'
import { type LoadPlan, loadPlan } from './storage/load-plan.ts'
import { dropManagedTable } from './storage/managed-table.ts'
import { type CurrentBatch, confirmationRequired, previewReplacement, refuseMissingRequired } from './storage/replacement.ts'
import type { Executor } from '../../platform/db/database.ts'

export type { LoaderEnv } from './storage/batch.ts'
export { FULL_LOAD_NEEDED } from './storage/merge.ts'

// Rejected rows kept on the batch row for later display.
const REJECTED_SAMPLE_MAX = 100

/** A batch fed by a front-end node (the exchange) instead of an upload. */
export interface FeedOptions {
  /** Who fed it, for the audit record (`node:<id>`, `run:<id>`). */
  source: Record<string, string>
  /**
   * The rows are changes: the new batch is the active one with these rows replacing those of the same key,
   * less the keys deleted at the source (canonical text of the one key item).
   */
  incremental?: { deletedKeys: readonly string[] }
}

/** The multipart fields beside `file` (API.md "Mounting data"). */
interface UploadFields {
  skipInvalidRows?: boolean
  /** Commit a replacement that needs confirmation (a large swing in rows, items the current batch had). */
  confirm: boolean
  /** Load and check the file, answer what replacing would change, commit nothing. */
  dryRun: boolean
}

function flag(name: string, value: unknown): boolean {
  const text = String(value ?? '')
    .trim()
    .toLowerCase()
  if (['true', '1', 'on', 'yes'].includes(text)) return true
  if (['false', '0', 'off', 'no', ''].includes(text)) return false
  throw fieldError(name, `${name} 应为 true 或 false`)
}

function readField(fields: UploadFields, name: string, value: unknown) {
  if (name === 'skipInvalidRows') fields.skipInvalidRows = flag(name, value)
  else if (name === 'confirm') fields.confirm = flag(name, value)
  else if (name === 'dryRun') fields.dryRun = flag(name, value)
}

/**
 * Loads an uploaded CSV/XLSX as a new batch of the resource's managed table and swaps it in
 * atomically (SPEC §6.2, §7.3; API.md "Mounting data"). The file is streamed into a new, invisible
 * table (ingest/, storage/); readers keep the previous batch until the swap, and any failure, a dry
 * run or a replacement that needs confirmation leaves it untouched (the new table is dropped, or
 * cleaned at the next start-up if the process dies). The replaced batch is kept for restoring.
 */
export async function loadUploadedTable(
  ctx: Ctx,
  env: LoaderEnv,
  entry: OwnedEntry,
  parts: AsyncIterable<Multipart>,
  limitBytes: number,
  feed?: FeedOptions,
): Promise<(UploadTableOut & { baseMaxLine?: number }) | UploadPreviewOut> {
  const plan = loadPlan(entry.resourceId, entry.items, ctx.config.dataKey)
  if (plan.columns.length === 0) throw fieldError('file', '该目录没有信息项，无法挂接库表数据；请先在目录中登记信息项')
  const fields: UploadFields = { confirm: false, dryRun: false }
  let state: LoadState | null = null
  const lease = uploadBudget(ctx.config).lease()
  try {
    for await (const part of readingUpload(parts)) {
      if (part.type === 'field') {
        readField(fields, part.fieldname, part.value)
        continue
      }
      if (part.fieldname !== 'file' || state) {
        part.file.resume() // not ours: read past it
        continue
      }
      const loading = newLoadState(cleanFileName(part.filename))
      state = loading
      await loadFile(
        plan,
        part.file,
        loading,
        async (mapping, csvColumns) => {
          // A feed's columns are set up once by the provider; an uploaded file is checked each time.
          if (!feed) refuseMissingRequired(plan.columns, mapping)
          return beginBatch(ctx, env, plan, loading.fileName, csvColumns)
        },
        () => fields.skipInvalidRows,
        limitBytes,
        lease,
      )
    }
    if (!state) throw fieldError('file', '请上传文件（表单字段 file）')
    const loaded = await finishLoad(ctx, plan, state, fields.skipInvalidRows === true, feed?.incremental)
    const preview = (current: CurrentBatch | null) => previewReplacement(current, plan.columns, state!.mapping!, loaded.rows, state!.rejectedCount)
    if (fields.dryRun && !feed) {
      const out = { preview: preview(await currentBatch(ctx.db, entry.resourceId)), ...uploadFacts(state) }
      await discardBatch(ctx, loaded.batch)
      return out
    }
    return await commit(ctx, plan, state, loaded, feed, async (trx) => {
      if (feed) return
      const check = preview(await currentBatch(trx, entry.resourceId))
      if (check.confirmationRequired && !fields.confirm) throw confirmationRequired(check)
    })
  } catch (error) {
    if (state?.batch) await discardBatch(ctx, state.batch).catch((e) => console.error('mounts: discarding a failed batch', e))
    throw error
  } finally {
    lease.release()
    if (state?.batch) {
      markLoadDone(state.batch.id)
      // Destroying the connection ends any COPY still open and releases the batch's advisory lock.
      state.batch.client?.release(true)
    }
  }
}

/** The active batch of the resource's table mount, as the replacement rule compares with it. */
async function currentBatch(db: Executor, resourceId: string): Promise<CurrentBatch | null> {
  const mount = await findMount(db, resourceId, 'table')
  if (!mount?.activeBatchId) return null
  return { rows: mount.rowCount, itemIds: await findBatchItems(db, mount.activeBatchId) }
}

const uploadFacts = (state: LoadState) => ({
  rows: 0,
  columns: state.mapping!.matched.map((m) => m.header),
  mapping: state.mapping!.matched,
  ignoredColumns: state.mapping!.ignored,
  rejectedRows: state.rejected,
  rejectedTotal: state.rejectedCount,
  encoding: state.encoding,
  format: state.format,
  fileName: state.fileName,
})

/** Swaps the loaded batch in (unless `guard` refuses on the locked mount) and drops the batch kept before. */
async function commit(ctx: Ctx, plan: LoadPlan, state: LoadState, loaded: LoadedBatch, feed: FeedOptions | undefined, guard: (trx: Executor) => Promise<void>) {
  const { batch, rows, lastDataTime } = loaded
  const older = await swapBatch(
    ctx,
    plan,
    batch,
    {
      rows,
      lastDataTime,
      encoding: state.encoding,
      fileName: state.fileName,
      rejectedCount: state.rejectedCount,
      rejectedSample: state.rejected.slice(0, REJECTED_SAMPLE_MAX),
      itemIds: state.mapping!.matched.map((m) => m.itemId),
      auditDetail: feed ? { fedBy: feed.source, incremental: feed.incremental !== undefined } : {},
    },
    guard,
  )
  mountsChanged()
  markLoadDone(batch.id)
  for (const table of older) {
    // Readers left it long ago; a failed drop is retried by cleanupStaleBatches.
    await dropManagedTable(ctx.db, table).catch((e) => console.error('mounts: dropping a replaced table', e))
  }
  return {
    ...uploadFacts(state),
    mountId: batch.mountId,
    batchId: batch.id,
    rows,
    lastDataTime,
    ...(loaded.baseMaxLine !== undefined ? { baseMaxLine: loaded.baseMaxLine } : {}),
  }
}
