import type { Selectable } from 'kysely'
import { appendAudit } from '../../platform/audit/chain.ts'
import { beijingDateTime } from '../../platform/calendar/dates.ts'
import type { Config } from '../../platform/config/config.ts'
import type { Db, Trx } from '../../platform/db/database.ts'
import type { ExchangeRunsTable } from '../../platform/db/schema.ts'
import { AppError, notFound } from '../../platform/http/errors.ts'
import { findPublishedEntry } from '../catalog/index.ts'
import { findActiveTableMount } from '../mounts/index.ts'
import { findGrantView, recordGrantUsage } from '../sharing/index.ts'
import { deliveryKey, deliveryPlan, maxLine } from './delivery-rows.ts'
import type { NodeRow } from './nodes.ts'
import { noticeJobFlagged } from './notices.ts'
import type { JobRow } from './setup.ts'

/**
 * What a node is asked to do, decided when it calls in (the platform never calls a department): verify a
 * feed, load a feed, deliver a grant, purge a delivered table. One run per job at a time, leased: a node that
 * stops reporting loses the run, which is failed and retried with back-off.
 */

export type RunRow = Selectable<ExchangeRunsTable>
type Kind = RunRow['kind']

// A run must be reported (or kept alive by heartbeats naming it) within this time.
const LEASE_MS = 10 * 60_000
// Back-off after failures: 5 s, 10 s, 20 s … at most 10 minutes. Three failures in a row flag the job.
const backoffMs = (failures: number) => Math.min(5_000 * 2 ** Math.max(0, failures - 1), 10 * 60_000)
const FLAG_AFTER = 3

// SPEC §5.3 update cycles (common/catalog.ts UPDATE_CYCLES) → feed cadence; 8 (irregular) runs on demand only.
const DAY = 24 * 60 * 60_000
const CADENCE_MS: Record<number, number | null> = { 1: 60_000, 2: DAY, 3: 7 * DAY, 4: 30 * DAY, 5: 91 * DAY, 6: 182 * DAY, 7: 365 * DAY, 8: null }

export const nodeSource = (node: Pick<NodeRow, 'orgId'>, at: Date) => ({ actorId: null, orgId: node.orgId, roles: ['NODE'], ip: null, requestId: null, at })

interface TaskBase {
  jobId: string
  connection: string
  table: string
}

export interface Task {
  runId: string
  jobId: string
  type: 'verify' | 'feed' | 'deliver' | 'purge'
  mode?: 'full' | 'incremental'
  connection: string
  table: string
  [more: string]: unknown
}

const today = (now: Date) => beijingDateTime(now).date

async function startRun(trx: Trx, job: JobRow, kind: Kind, now: Date, detail: Record<string, unknown>, extra: Partial<RunRow> = {}) {
  return trx
    .insertInto('exchangeRuns')
    .values({
      jobId: job.id,
      kind,
      status: 'running',
      startedAt: now,
      leaseUntil: new Date(now.getTime() + LEASE_MS),
      deletedKeys: '[]',
      detail: JSON.stringify(detail),
      batchId: extra.batchId ?? null,
      baseLine: extra.baseLine ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

const controlsOf = (job: JobRow) => ({
  channels: job.channels,
  splitPk: job.splitPk,
  speedRecords: job.speedRecords,
  speedBytes: job.speedBytes,
  errorLimitCount: job.errorLimitCount,
  errorLimitShare: job.errorLimitShare === null ? null : Number(job.errorLimitShare),
  writeMode: job.writeMode,
})

/**
 * The tasks of a node now: runs it no longer works on are failed (it restarted, or went silent past the lease),
 * then each of its jobs that is due gets a run. `working` are the run ids the agent says it is still on.
 */
export async function planWork(db: Db, config: Config, node: NodeRow, now: Date, working: readonly string[]): Promise<Task[]> {
  const tasks: Task[] = []
  const jobs = await db.selectFrom('exchangeJobs').selectAll().where('nodeId', '=', node.id).where('status', 'in', ['verifying', 'active', 'purging']).execute()
  for (const listed of jobs) {
    const task = await db.transaction().execute(async (trx) => {
      const job = await trx.selectFrom('exchangeJobs').selectAll().where('id', '=', listed.id).forUpdate().skipLocked().executeTakeFirst()
      if (!job) return null
      const running = await trx.selectFrom('exchangeRuns').selectAll().where('jobId', '=', job.id).where('status', '=', 'running').executeTakeFirst()
      if (running) {
        if (working.includes(running.id) && new Date(running.leaseUntil) > now) {
          await trx
            .updateTable('exchangeRuns')
            .set({ leaseUntil: new Date(now.getTime() + LEASE_MS) })
            .where('id', '=', running.id)
            .execute()
          return null
        }
        // Started before but not being worked on: the agent restarted or lost it. Retried at once, no duplicates:
        // a feed batch or a delivery lands atomically or not at all.
        const lost = new Date(running.leaseUntil) <= now ? '前置机未在期限内报告结果' : '前置机已中断该运行（重启或掉线）'
        await closeRun(trx, node, job, running, now, { ok: false, error: lost }, { retryNow: true })
      }
      const fresh = await trx.selectFrom('exchangeJobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow()
      return planJob(trx, config, fresh, now)
    })
    if (task) tasks.push(task)
  }
  return tasks
}

async function planJob(trx: Trx, config: Config, job: JobRow, now: Date): Promise<Task | null> {
  const base: TaskBase = { jobId: job.id, connection: job.connection, table: job.tableName }
  if (job.status === 'purging') {
    const run = await startRun(trx, job, 'purge', now, {})
    return { ...base, runId: run.id, type: 'purge' }
  }
  if (job.nextRunAt && new Date(job.nextRunAt) > now && !job.runRequested) return null
  if (job.kind === 'feed') return planFeed(trx, job, now, base)
  return planDelivery(trx, config, job, now, base)
}

async function planFeed(trx: Trx, job: JobRow, now: Date, base: TaskBase): Promise<Task | null> {
  const entry = await findPublishedEntry(trx, job.resourceId)
  if (!entry) return null
  const columns = job.columnMap.map(({ itemId, column }) => {
    const item = entry.items.find((i) => i.id === itemId)
    return { column, itemId, header: item?.nameEn ?? item?.name ?? column, dataType: item?.dataType ?? 'C', length: item?.length ?? null }
  })
  const shape = { key: job.keyColumn, incremental: job.incrementalColumn, where: job.whereFilter, columns, carryDeletes: job.carryDeletes, ...controlsOf(job) }
  if (job.status === 'verifying') {
    const run = await startRun(trx, job, 'verify', now, {})
    return { ...base, runId: run.id, type: 'verify', ...shape }
  }
  const due = job.runRequested || job.fullRequested || !job.nextRunAt || new Date(job.nextRunAt) <= now
  if (!due) return null
  const full = job.fullRequested || !job.incrementalColumn || job.watermark === null
  const mount = await findActiveTableMount(trx, job.resourceId)
  const mode = full || !mount ? 'full' : 'incremental'
  const run = await startRun(trx, job, mode, now, { watermark: job.watermark, baseBatchId: mode === 'incremental' ? mount!.batchId : null })
  return { ...base, runId: run.id, type: 'feed', mode, watermark: mode === 'incremental' ? job.watermark : null, ...shape }
}

async function planDelivery(trx: Trx, config: Config, job: JobRow, now: Date, base: TaskBase): Promise<Task | null> {
  const grant = await findGrantView(trx, job.grantId!)
  // SPEC §7.6: on expiry, revocation or suspension the job stops and the node purges what it received.
  const inactive = !grant || grant.status !== 'active' ? (grant?.status ?? 'revoked') : grant.validUntil < today(now) ? 'expired' : null
  if (inactive) {
    const reasons: Record<string, string> = { revoked: '授权已撤销', suspended: '授权已暂停', expired: '授权已过期' }
    await trx
      .updateTable('exchangeJobs')
      .set({ status: 'purging', purgeRequestedAt: now, statusReason: reasons[inactive] ?? '授权已失效', updatedAt: now })
      .where('id', '=', job.id)
      .execute()
    const run = await startRun(trx, job, 'purge', now, {})
    return { ...base, runId: run.id, type: 'purge' }
  }
  // A feed landing now has swapped its batch before it records it: deliver once it is recorded, so the
  // delivery can follow the chain of batches incrementally instead of starting over.
  const feeding = await trx
    .selectFrom('exchangeRuns as r')
    .innerJoin('exchangeJobs as j', 'j.id', 'r.jobId')
    .select('r.id')
    .where('j.resourceId', '=', job.resourceId)
    .where('j.kind', '=', 'feed')
    .where('r.status', '=', 'running')
    .where('r.kind', 'in', ['full', 'incremental'])
    .executeTakeFirst()
  if (feeding) return null
  const entry = await findPublishedEntry(trx, job.resourceId)
  const mount = await findActiveTableMount(trx, job.resourceId)
  if (!entry || !mount) return null
  const plan = deliveryPlan(grant!, entry.items, config.dataKey)
  if ('refused' in plan) {
    if (job.statusReason !== plan.refused)
      await trx.updateTable('exchangeJobs').set({ statusReason: plan.refused, updatedAt: now }).where('id', '=', job.id).execute()
    return null
  }
  const changes =
    job.fullRequested || job.deliveredSignature !== plan.signature || !job.deliveredBatchId
      ? null
      : await changesSince(trx, job, job.deliveredBatchId, mount.batchId)
  const mode = changes ? 'incremental' : 'full'
  if (mode === 'incremental' && mount.batchId === job.deliveredBatchId && !job.runRequested) return null
  const detail = { signature: plan.signature, items: plan.granted.map(({ item }) => item.id), maxLine: await maxLine(trx, mount) }
  const afterLine = mode === 'incremental' ? Number(job.deliveredLine ?? 0) : 0
  const run = await startRun(trx, job, mode, now, detail, { batchId: mount.batchId, baseLine: String(afterLine) })
  const deletes = (changes?.deletedKeys ?? []).map((key) => deliveryKey(plan, key))
  if (deletes.length > 0)
    await trx
      .updateTable('exchangeRuns')
      .set({ deletedKeys: JSON.stringify(deletes) })
      .where('id', '=', run.id)
      .execute()
  return { ...base, runId: run.id, type: 'deliver', mode, key: '_gs_key', columns: plan.columns, deletes: deletes.length, ...controlsOf(job) }
}

/**
 * The keys deleted between the delivered batch and the active one, when the active batch descends from the
 * delivered one through incremental feeds only; null when it does not (an upload or a full load in between:
 * the delivery is then done in full).
 */
async function changesSince(trx: Trx, job: JobRow, fromBatch: string, toBatch: string): Promise<{ deletedKeys: string[] } | null> {
  if (fromBatch === toBatch) return { deletedKeys: [] }
  const feeds = await trx
    .selectFrom('exchangeRuns as r')
    .innerJoin('exchangeJobs as j', 'j.id', 'r.jobId')
    .select(['r.batchId', 'r.detail', 'r.deletedKeys'])
    .where('j.resourceId', '=', job.resourceId)
    .where('j.kind', '=', 'feed')
    .where('r.kind', '=', 'incremental')
    .where('r.status', '=', 'succeeded')
    .where('r.batchId', 'is not', null)
    .execute()
  const byBase = new Map(feeds.map((f) => [String(f.detail.baseBatchId), f]))
  const deletedKeys: string[] = []
  for (let at = fromBatch, steps = 0; at !== toBatch; steps++) {
    const next = byBase.get(at)
    if (!next || steps > feeds.length) return null
    deletedKeys.push(...next.deletedKeys)
    at = next.batchId!
  }
  return { deletedKeys }
}

/** The running run of this node with that id, locked, with its job; 404 for anything else (ids do not leak). */
export async function lockRun(trx: Trx, node: NodeRow, runId: string) {
  // Job first, then run: the order planWork locks them in (the other order deadlocked a heartbeat against a report).
  const found = await trx.selectFrom('exchangeRuns').select('jobId').where('id', '=', runId).executeTakeFirst()
  const job = found ? await trx.selectFrom('exchangeJobs').selectAll().where('id', '=', found.jobId).forUpdate().executeTakeFirst() : undefined
  const run = job ? await trx.selectFrom('exchangeRuns').selectAll().where('id', '=', runId).forUpdate().executeTakeFirst() : undefined
  if (!run || !job || job.nodeId !== node.id) throw notFound('运行记录')
  if (run.status !== 'running') throw new AppError(409, 'RUN_CLOSED', '该运行已结束（超时或已报告），请领取新任务')
  return { run, job }
}

export interface Outcome {
  ok: boolean
  rowsRead?: number
  rowsWritten?: number
  rowsDeleted?: number
  rowsFailed?: number
  bytes?: number
  error?: string | null
}

/**
 * Closes a run and moves its job on, in the caller's transaction: a success records what was delivered (or
 * loaded, or purged); a failure backs off, and the third in a row flags the job for its node's operators.
 * Every run is an audited data access; a delivery or purge also counts as a use of the grant.
 */
export async function closeRun(
  trx: Trx,
  node: NodeRow,
  job: JobRow,
  run: RunRow,
  now: Date,
  outcome: Outcome,
  options: { retryNow?: boolean; jobPatch?: Partial<JobRow> } = {},
) {
  const figures = {
    rowsRead: String(outcome.rowsRead ?? 0),
    rowsWritten: String(outcome.rowsWritten ?? 0),
    rowsDeleted: String(outcome.rowsDeleted ?? 0),
    rowsFailed: String(outcome.rowsFailed ?? 0),
    bytes: String(outcome.bytes ?? 0),
  }
  await trx
    .updateTable('exchangeRuns')
    .set({
      status: outcome.ok ? 'succeeded' : 'failed',
      finishedAt: now,
      durationMs: now.getTime() - new Date(run.startedAt).getTime(),
      error: outcome.ok ? null : (outcome.error ?? '运行失败'),
      ...figures,
    })
    .where('id', '=', run.id)
    .execute()
  const patch: Record<string, unknown> = { updatedAt: now, ...options.jobPatch }
  if (outcome.ok) {
    Object.assign(patch, { consecutiveFailures: 0, runRequested: false })
    if (run.kind === 'purge') Object.assign(patch, { status: 'purged', purgedAt: now })
    if (run.kind === 'full' || run.kind === 'incremental') {
      if (run.kind === 'full') patch.fullRequested = false
      if (job.kind === 'delivery') {
        Object.assign(patch, {
          deliveredBatchId: run.batchId,
          deliveredLine: String(run.detail.maxLine ?? 0),
          deliveredSignature: run.detail.signature,
          deliveredItems: JSON.stringify(run.detail.items ?? []),
          nextRunAt: null,
          statusReason: null,
        })
      } else {
        const entry = await findPublishedEntry(trx, job.resourceId)
        const cadence = CADENCE_MS[entry?.updateCycle ?? 8]
        patch.nextRunAt = cadence === null ? new Date(8.64e15) : new Date(now.getTime() + (cadence ?? DAY))
      }
    }
  } else {
    const failures = job.consecutiveFailures + 1
    Object.assign(patch, {
      consecutiveFailures: failures,
      nextRunAt: options.retryNow && failures < FLAG_AFTER ? null : new Date(now.getTime() + backoffMs(failures)),
    })
    if (failures >= FLAG_AFTER && !job.flaggedAt) {
      patch.flaggedAt = now
      // SPEC §7.7: three consecutive errors flag the grant; its node's operators see it on their console.
      await appendAudit(trx, nodeSource(node, now), {
        action: 'exchange.job.flag',
        objectType: 'exchange_job',
        objectId: job.id,
        grantId: job.grantId,
        detail: { failures, error: outcome.error ?? null },
      })
      await noticeJobFlagged(trx, node, job, now, outcome.error ?? null)
    }
  }
  if (outcome.ok && job.flaggedAt) patch.flaggedAt = null
  await trx.updateTable('exchangeJobs').set(patch).where('id', '=', job.id).execute()
  await appendAudit(trx, nodeSource(node, now), {
    action: `exchange.${job.kind}.${run.kind}`,
    result: outcome.ok ? 'success' : 'error',
    objectType: 'exchange_run',
    objectId: run.id,
    grantId: job.grantId,
    detail: { jobId: job.id, nodeId: node.id, resourceId: job.resourceId, ...figures, error: outcome.ok ? null : (outcome.error ?? null) },
  })
  if (job.grantId && outcome.ok && (run.kind === 'full' || run.kind === 'incremental' || run.kind === 'purge')) {
    await recordGrantUsage(trx, {
      grantId: job.grantId,
      at: now,
      userId: null,
      purpose: run.kind === 'purge' ? '交付数据清除' : '库表交付',
      rows: Number(figures.rowsWritten) + Number(figures.rowsDeleted),
    })
  }
}
