import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { Multipart } from '@fastify/multipart'
import type pg from 'pg'
import { recordAudit } from '../../platform/audit/record.ts'
import type { Ctx } from '../../platform/context.ts'
import type { DbKind } from '../../platform/db/database.ts'
import { AppError, type ErrorDetail, conflict, fieldError, validationFailed } from '../../platform/http/errors.ts'
import { type RowSink, copySink, insertSink } from './storage/bulk-load.ts'
import { csvColumnsAsWritten, csvLineEnds, storedAsWritten } from './storage/csv-pass-through.ts'
import { LOAD_LOCK_NAMESPACE, isLoadAlive, markLoadDone, markLoadLive } from './storage/cleanup.ts'
import { type HeaderMapping, type TableColumn, mapHeader, tableColumns } from './storage/layout.ts'
import {
  analyzeTable,
  createKeyIndex,
  createManagedTable,
  deleteDuplicateKeys,
  dropKeyIndex,
  dropManagedTable,
  findDuplicateKeys,
  managedTableName,
  maxDataTime,
  qualifiedName,
  quotedTableName,
} from './storage/managed-table.ts'
import {
  deleteEmptyMount,
  deleteLoadingBatch,
  ensureMount,
  failLoadingBatch,
  insertBatch,
  lastBatchNumber,
  loadingBatches,
  lockMountById,
  updateBatch,
  updateMount,
} from './queries.ts'
import { type RejectedRow, type RowProblem, checkRow, isBlankRow } from './ingest/row-check.ts'
import type { OwnedEntry } from './service.ts'
import { mountsChanged } from './mount-signal.ts'
import { type SealPlan, keyIndexColumns, mountColumnsOf, sealPlan } from './storage/load-plan.ts'
import { openTableSource } from './ingest/source.ts'
import { type UploadLease, uploadBudget } from '../../platform/uploads/memory-budget.ts'
import { cleanFileName, readingUpload } from './ingest/upload-input.ts'
import { canonicalInstant } from './ingest/values.ts'
import type { UploadTableOut } from './schemas.ts'
import { sql } from 'kysely'
import { findActiveTableMount } from './lookups.ts'
import { SEAL_FORMAT, canonicalLookup, digestValue, formatOf } from './storage/sealed-columns.ts'

/** What a table load needs beyond the request context: the engine, and on PostgreSQL the raw pool for COPY. */
export interface LoaderEnv {
  dbKind: DbKind
  pgPool: pg.Pool | null
}

// Changes between CSV text and re-encoded rows in one upload, at most (each costs a COPY statement).
const MAX_MODE_CHANGES = 100
// Rejected rows kept for the response / the 400's details (the count is always exact).
const REJECTED_LIST_MAX = 1000
// Rejected rows kept on the batch row for later display.
const REJECTED_SAMPLE_MAX = 100

const payloadTooLarge = (limitBytes: number) =>
  new AppError(413, 'PAYLOAD_TOO_LARGE', `上传文件超过 ${Math.round(limitBytes / 1024 / 1024)} MB 的上限`)

/** The batch being loaded: its table stays invisible to readers until swapBatch(). */
interface PendingBatch {
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

interface LoadState {
  plan: SealPlan
  /** The unique key index's columns. */
  keys: TableColumn[]
  /** The position of the timestamp item among the table columns, or -1. */
  timestampAt: number
  /** The newest timestamp value loaded so far, as canonical text (values.ts), which sorts as time does. */
  newestTime: string | null
  batch: PendingBatch | null
  mapping: HeaderMapping | null
  fileName: string
  format: 'csv' | 'xlsx'
  encoding: string
  rejected: RejectedRow[]
  problems: RowProblem[]
  rejectedCount: number
}

function parseSkipFlag(value: unknown): boolean {
  const text = String(value ?? '').trim().toLowerCase()
  if (['true', '1', 'on', 'yes'].includes(text)) return true
  if (['false', '0', 'off', 'no', ''].includes(text)) return false
  throw fieldError('skipInvalidRows', 'skipInvalidRows 应为 true 或 false')
}

/**
 * Loads an uploaded CSV/XLSX as a new batch of the resource's managed table and swaps it in
 * atomically (SPEC §6.2, §7.3; API.md "Mounting data"). The file is streamed: rows are parsed,
 * checked and written in chunks as they arrive. Readers keep the previous batch until the swap;
 * any failure leaves it untouched (the new table is dropped, or cleaned at the next start-up if
 * the process dies).
 */
export async function loadUploadedTable(
  ctx: Ctx,
  env: LoaderEnv,
  entry: OwnedEntry,
  parts: AsyncIterable<Multipart>,
  limitBytes: number,
  feed?: FeedOptions,
): Promise<UploadTableOut & { baseMaxLine?: number }> {
  const columns = tableColumns(entry.items)
  if (columns.length === 0) throw fieldError('file', '该目录没有信息项，无法挂接库表数据；请先在目录中登记信息项')
  let skip: boolean | undefined
  let state: LoadState | null = null
  const lease = uploadBudget(ctx.config).lease()
  try {
    for await (const part of readingUpload(parts)) {
      if (part.type === 'field') {
        if (part.fieldname === 'skipInvalidRows') skip = parseSkipFlag(part.value)
        continue
      }
      if (part.fieldname !== 'file' || state) {
        part.file.resume() // not ours: read past it
        continue
      }
      state = newState(cleanFileName(part.filename), columns, sealPlan(entry.resourceId, columns, ctx.config.dataKey))
      await loadFile(ctx, env, entry, columns, part.file, state, () => skip, limitBytes, lease)
    }
    if (!state) throw fieldError('file', '请上传文件（表单字段 file）')
    return await completeBatch(ctx, entry, columns, state, skip === true, feed)
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

function newState(fileName: string, columns: TableColumn[], plan: SealPlan): LoadState {
  const timestamp = columns.findIndex((c) => c.item.isTimestamp && (c.dataType === 'T' || c.dataType === 'D'))
  return { plan, keys: keyIndexColumns(columns, plan), timestampAt: timestamp, newestTime: null, batch: null, mapping: null, fileName, format: 'csv', encoding: 'utf-8', rejected: [], problems: [], rejectedCount: 0 }
}

function reject(state: LoadState, row: RejectedRow, problems: RowProblem[]) {
  state.rejectedCount++
  if (state.rejected.length < REJECTED_LIST_MAX) state.rejected.push(row)
  for (const p of problems) if (state.problems.length < REJECTED_LIST_MAX) state.problems.push(p)
}

async function loadFile(
  ctx: Ctx,
  env: LoaderEnv,
  entry: OwnedEntry,
  columns: TableColumn[],
  file: Readable & { truncated?: boolean },
  state: LoadState,
  skip: () => boolean | undefined,
  limitBytes: number,
  lease: UploadLease,
) {
  try {
    const source = await openTableSource(file, state.fileName, lease)
    state.format = source.format
    let headerWidth = 0
    let asWrittenColumns: string[] | null = null
    let lastAsCsv = false
    let modeChanges = 0
    for await (const { rows, text } of source.rows) {
      // Whether this batch can go to PostgreSQL as the file's own text (csv-pass-through.ts).
      let asWritten = text !== null && asWrittenColumns !== null
      const loaded: { line: number; values: (string | null)[] }[] = []
      for (const row of rows) {
        if (isBlankRow(row.values)) {
          asWritten = false
          continue
        }
        if (!state.mapping) {
          state.mapping = mapHeader(row.values, columns)
          headerWidth = row.values.length
          asWrittenColumns = csvColumnsAsWritten(columns, state.mapping, headerWidth, state.plan.sealed.length > 0)
          state.batch = await beginBatch(ctx, env, entry, state.plan.physical, state.keys, state.fileName, asWrittenColumns)
          continue
        }
        const batch = state.batch!
        const checked = checkRow(row, columns, state.mapping, headerWidth)
        if (!checked.ok) {
          asWritten = false
          reject(state, checked.rejected, checked.problems)
          if (skip() === false && batch.writing) {
            // Nothing will be loaded: stop writing, keep reading to list every bad line.
            batch.writing = false
            batch.sink.abort()
          }
          continue
        }
        if (!batch.writing) continue
        if (asWritten && !storedAsWritten(row, checked.values, state.mapping.sourceIndex, headerWidth)) asWritten = false
        loaded.push({ line: row.line, values: checked.values })
        const time = state.timestampAt >= 0 ? checked.values[state.timestampAt] : null
        if (time !== null && (state.newestTime === null || time > state.newestTime)) state.newestTime = time
      }
      const batch = state.batch
      if (!batch?.writing || loaded.length === 0) continue
      const crlf = asWritten && batch.sink.addCsv && modeChanges < MAX_MODE_CHANGES ? csvLineEnds(text!, loaded) : null
      // Each change between the file's own text and re-encoded rows ends one COPY statement and starts
      // another: a file that keeps alternating is re-encoded from some point on.
      if ((crlf !== null) !== lastAsCsv) modeChanges++
      lastAsCsv = crlf !== null
      if (crlf !== null) await batch.sink.addCsv!(loaded[0].line, loaded.length, text!, crlf)
      else for (const { line, values } of loaded) batch.sink.add(line, state.plan.toStored(values))
      await batch.sink.settle()
    }
    state.encoding = source.encoding()
    if (file.truncated) throw payloadTooLarge(limitBytes)
    if (!state.mapping) throw fieldError('file', '文件中没有表头和数据')
  } catch (error) {
    if (file.truncated) throw payloadTooLarge(limitBytes)
    throw error
  }
}

/** Registers the batch and creates its (empty, invisible) table in one short transaction. */
async function beginBatch(
  ctx: Ctx,
  env: LoaderEnv,
  entry: OwnedEntry,
  columns: TableColumn[],
  keys: TableColumn[],
  fileName: string,
  csvColumns: string[] | null,
): Promise<PendingBatch> {
  const id = randomUUID()
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
      const { mount, created } = await ensureMount(trx, entry.resourceId, 'table', ctx.actor.userId)
      // One load per mount at a time; a 'loading' batch whose loader died is cleaned up here.
      for (const other of await loadingBatches(trx, mount.id)) {
        if (await isLoadAlive(trx, other.id)) throw conflict('该目录正在导入另一批数据，请等待其完成后再上传')
        if (await failLoadingBatch(trx, other.id, ctx.now())) await dropManagedTable(trx, other.tableName)
      }
      const tableName = managedTableName(entry.resourceId, (await lastBatchNumber(trx, mount.id)) + 1)
      await insertBatch(trx, { id, mountId: mount.id, tableName, fileName, createdBy: ctx.actor.userId, startedAt: ctx.now() })
      await createManagedTable(trx, tableName, columns)
      if (client) {
        // PGlite has one core for everything: there, building the index after the load is cheaper.
        if (keys.length > 0) await createKeyIndex(trx, tableName, keys)
      }
      return { mountId: mount.id, mountCreated: created, tableName }
    })
    const table = quotedTableName(tableName)
    const keyIndex = { holds: client !== null && keys.length > 0 }
    const dropUniqueIndex = async () => {
      keyIndex.holds = false
      await dropKeyIndex(ctx.db, tableName)
    }
    const sink = client
      ? copySink(client, table, columns.map((c) => c.column), { ...(keyIndex.holds ? { dropUniqueIndex } : {}), ...(csvColumns ? { csvColumns } : {}) })
      : insertSink(ctx.db, table, columns.map((c) => ({ name: c.column, sqlType: c.sqlType })))
    return { id, mountId, mountCreated, tableName, sink, client, writing: true, keyIndex }
  } catch (error) {
    markLoadDone(id)
    client?.release(true)
    throw error
  }
}

/** Drops the unfinished batch's table and its row: a failed upload leaves no trace. */
async function discardBatch(ctx: Ctx, batch: PendingBatch) {
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

const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line

function rowsRefused(state: LoadState): AppError {
  const details: ErrorDetail[] = state.problems
    .slice()
    .sort(byLine)
    .map((p) => ({ field: p.column ? `第${p.line}行.${p.column}` : `第${p.line}行`, message: p.message }))
  const message = `有 ${state.rejectedCount} 行数据不符合信息项要求，未导入任何数据；请修正后重新上传，或勾选「跳过错误行」后重新上传`
  return validationFailed(details, message)
}

/** Finishes the load (key index, statistics) and swaps the batch in, or refuses it. */
async function completeBatch(ctx: Ctx, entry: OwnedEntry, columns: TableColumn[], state: LoadState, skip: boolean, feed?: FeedOptions): Promise<UploadTableOut & { baseMaxLine?: number }> {
  const batch = state.batch!
  if (!batch.writing) throw rowsRefused(state)
  let rows = await batch.sink.finish()
  const keys = columns.filter((c) => c.item.isPrimaryKey)
  const indexKeys = state.keys
  let duplicatesRemoved = false
  const keyIndexed = keys.length === 0 || batch.keyIndex.holds || (await createKeyIndex(ctx.db, batch.tableName, indexKeys))
  if (!keyIndexed) {
    const { sample, total } = await findDuplicateKeys(ctx.db, batch.tableName, indexKeys, REJECTED_LIST_MAX)
    const keyHeader = keys.map((k) => state.mapping!.headerOf[columns.indexOf(k)]).join('+')
    for (const dup of sample) {
      const problem = { line: dup.line, column: keyHeader, message: `主键重复（与第 ${dup.firstLine} 行相同）` }
      reject(state, { line: dup.line, reason: `「${keyHeader}」${problem.message}` }, [problem])
    }
    state.rejectedCount += total - sample.length
    state.rejected.sort(byLine)
    if (!skip) throw rowsRefused(state)
    const removed = await deleteDuplicateKeys(ctx.db, batch.tableName, indexKeys)
    rows -= removed
    duplicatesRemoved = removed > 0
    if (!(await createKeyIndex(ctx.db, batch.tableName, indexKeys))) throw new Error('duplicate keys remain after removing them')
  }
  if (state.rejectedCount > 0 && !skip) throw rowsRefused(state)
  const merged = feed?.incremental ? await mergeWithActive(ctx, entry, columns, state, feed.incremental) : null
  if (merged) rows = merged.rows

  await analyzeTable(ctx.db, batch.tableName)
  // The newest time seen while loading; read back instead when duplicate keys were removed since.
  const timestamp = state.timestampAt >= 0 ? columns[state.timestampAt] : null
  const dataTime = !timestamp
    ? null
    : duplicatesRemoved
      ? await maxDataTime(ctx.db, batch.tableName, timestamp)
      : state.newestTime === null
        ? null
        : canonicalInstant(state.newestTime)
  const newest = merged?.lastDataTime && (!dataTime || merged.lastDataTime > dataTime) ? merged.lastDataTime : dataTime
  const lastDataTime = newest ?? ctx.now()

  const oldTable = await swapBatch(ctx, entry, columns, state, rows, lastDataTime, feed)
  mountsChanged()
  markLoadDone(batch.id)
  if (oldTable) {
    // Readers moved to the new table at the commit; a failed drop is retried by cleanupStaleBatches.
    await dropManagedTable(ctx.db, oldTable).catch((e) => console.error('mounts: dropping a replaced table', e))
  }
  return {
    mountId: batch.mountId,
    batchId: batch.id,
    rows,
    columns: state.mapping!.matched.map((m) => m.header),
    mapping: state.mapping!.matched,
    ignoredColumns: state.mapping!.ignored,
    rejectedRows: state.rejected,
    rejectedTotal: state.rejectedCount,
    encoding: state.encoding,
    format: state.format,
    fileName: state.fileName,
    lastDataTime,
    ...(merged ? { baseMaxLine: merged.baseMaxLine } : {}),
  }
}

/** The one short transaction that makes the new batch the one readers see; returns the replaced table. */
async function swapBatch(ctx: Ctx, entry: OwnedEntry, columns: TableColumn[], state: LoadState, rows: number, lastDataTime: Date, feed?: FeedOptions): Promise<string | null> {
  const batch = state.batch!
  return ctx.db.transaction().execute(async (trx) => {
    const mount = await lockMountById(trx, batch.mountId)
    const now = ctx.now()
    if (mount.activeBatchId) await updateBatch(trx, mount.activeBatchId, { status: 'replaced' })
    await updateBatch(trx, batch.id, {
      status: 'active',
      encoding: state.encoding,
      rowsLoaded: rows,
      rowsRejected: state.rejectedCount,
      rejectedSample: JSON.stringify(state.rejected.slice(0, REJECTED_SAMPLE_MAX)),
      finishedAt: now,
    })
    await updateMount(trx, mount.id, {
      activeTable: qualifiedName(batch.tableName),
      activeBatchId: batch.id,
      columns: JSON.stringify(mountColumnsOf(columns, state.plan)),
      rowCount: rows,
      lastDataTime,
      updatedAt: now,
    })
    await recordAudit(trx, ctx, {
      action: 'mounts.table.upload',
      objectType: 'resource',
      objectId: entry.resourceId,
      detail: {
        mountId: mount.id,
        batchId: batch.id,
        fileName: state.fileName,
        rows,
        rejected: state.rejectedCount,
        encoding: state.encoding,
        sealedItems: state.plan.sealed.length,
        ...(feed ? { fedBy: feed.source, incremental: feed.incremental !== undefined } : {}),
      },
    })
    return mount.activeTable ? mount.activeTable.slice(mount.activeTable.indexOf('.') + 1) : null
  })
}

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

/** Refused when the active batch cannot take changes (no batch, other columns): the feeder then loads in full. */
export const FULL_LOAD_NEEDED = 'FULL_LOAD_NEEDED'

/**
 * Completes an incremental batch from the active one, in the new (still invisible) table: the changed rows
 * are renumbered after the active batch's last line, then the unchanged rows are copied with their lines,
 * so `_line > baseMaxLine` are exactly the rows this batch changed; deleted keys are removed.
 */
async function mergeWithActive(ctx: Ctx, entry: OwnedEntry, columns: TableColumn[], state: LoadState, changes: { deletedKeys: readonly string[] }) {
  const batch = state.batch!
  const active = await findActiveTableMount(ctx.db, entry.resourceId)
  const keys = columns.filter((c) => c.item.isPrimaryKey)
  const sameShape =
    active &&
    keys.length === 1 &&
    active.columns.length === columns.length &&
    active.columns.every((c, i) => c.itemId === columns[i].itemId && c.column === columns[i].column && (c.sealed?.keyId ?? null) === (state.plan.sealed.includes(i) ? state.plan.sealer!.keyId : null) && (!c.sealed || formatOf(c) === SEAL_FORMAT))
  if (!active || !sameShape) throw new AppError(409, FULL_LOAD_NEEDED, '当前批次与目录信息项不一致，需先全量导入')
  const target = sql.table(qualifiedName(batch.tableName))
  const source = sql.table(active.tableName)
  const physical = state.plan.physical.map((c) => sql.id(c.column))
  const key = sql.id(state.plan.keyColumn(keys[0]).column)
  const keyItem = keys[0]
  const deleted = changes.deletedKeys.map((value) => {
    const canonical = canonicalLookup(keyItem.item, value)
    if (canonical === null) return null
    const sealedAt = state.plan.sealed.includes(columns.indexOf(keyItem))
    return sealedAt ? digestValue(state.plan.sealer!, keyItem.itemId, canonical) : canonical
  }).filter((v): v is string => v !== null)
  return ctx.db.transaction().execute(async (trx) => {
    const base = await sql<{ n: string | null }>`select max(_line)::text as n from ${source}`.execute(trx)
    const baseMaxLine = Number(base.rows[0]?.n ?? 0)
    await sql`update ${target} set _line = _line + ${baseMaxLine}`.execute(trx)
    await sql`insert into ${target} (_line, ${sql.join(physical)}) select _line, ${sql.join(physical)} from ${source} o
      where not exists (select 1 from ${target} n where n.${key} = o.${key})`.execute(trx)
    for (let i = 0; i < deleted.length; i += 10_000) {
      await sql`delete from ${target} where ${key}::text = any(${deleted.slice(i, i + 10_000)}::text[])`.execute(trx)
    }
    const count = await sql<{ n: number }>`select count(*)::int as n from ${target}`.execute(trx)
    return { rows: count.rows[0].n, baseMaxLine, lastDataTime: active.lastDataTime }
  })
}
