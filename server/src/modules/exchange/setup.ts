import { type Selectable, sql } from 'kysely'
import { recordAudit } from '../../platform/audit/record.ts'
import { authorize, authorizeLoaded, can, scopeOf } from '../../platform/auth/policy.ts'
import { beijingDateTime } from '../../platform/calendar/dates.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import type { ExchangeJobsTable } from '../../platform/db/schema.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { AppError, conflict, fieldError, notFound } from '../../platform/http/errors.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import { findPublishedEntry } from '../catalog/index.ts'
import { findGrantView } from '../sharing/index.ts'
import { deliveryPlan } from './delivery-rows.ts'
import { findNode } from './nodes.ts'
import type { DeliveryBody, FeedBody, JobControlsBody, JobsQuery, RecentRunsQuery } from './schemas.ts'

export type JobRow = Selectable<ExchangeJobsTable>

/** A node of the actor's organisation that has the named connection. */
async function ownNodeWith(ctx: Ctx, db: Executor, nodeId: string, connection: string) {
  const node = await findNode(db, nodeId)
  if (!node || node.orgId !== ctx.actor.orgId) throw fieldError('nodeId', '请选择本单位已登记的前置机')
  if (!node.enrolledAt) throw fieldError('nodeId', '该前置机尚未完成注册')
  if (!node.connections.some((c) => c.name === connection)) throw fieldError('connection', `前置机上没有名为「${connection}」的数据库连接`)
  return node
}

const controls = (body: FeedBody | DeliveryBody) => ({
  channels: body.channels ?? 1,
  speedRecords: body.speedRecords ?? null,
  speedBytes: body.speedBytes ?? null,
  errorLimitCount: body.errorLimitCount ?? null,
  errorLimitShare: body.errorLimitShare === undefined || body.errorLimitShare === null ? null : String(body.errorLimitShare),
})

/**
 * A table mount fed through the provider's node (SPEC §6.2 TABLE): source table, key, incremental column,
 * item ↔ column map and an optional filter. It starts in `verifying`: the node samples the table and checks
 * the types before the feed goes active.
 */
export async function createFeed(ctx: Ctx, body: FeedBody) {
  return ctx.db.transaction().execute(async (trx) => {
    const entry = await findPublishedEntry(trx, body.resourceId)
    if (!entry) throw notFound('目录')
    authorize(ctx.actor, 'exchange.feed.create', { providerOrgId: entry.providerOrgId }, '只能为本单位的目录挂接数据')
    if (ctx.config.networkZone === 'extranet' && (entry.secret || entry.items.some((item) => item.secret))) {
      throw new AppError(403, 'SECRET_ON_EXTRANET', '本平台为政务外网实例，不得挂接涉密信息资源或涉密信息项的数据')
    }
    const node = await ownNodeWith(ctx, trx, body.nodeId, body.connection)
    const items = new Map(entry.items.map((item) => [item.id, item]))
    for (const [i, c] of body.columns.entries()) {
      if (!items.has(c.itemId)) throw fieldError(`columns.${i}.itemId`, '不是该目录已发布的信息项')
    }
    const keyItem = entry.items.find((item) => item.isPrimaryKey)
    const keyMapped = body.columns.find((c) => c.itemId === keyItem?.id)
    if (!keyItem || !keyMapped) throw fieldError('columns', '须为目录的主键信息项指定源表中的列')
    if (keyMapped.column !== body.keyColumn) throw fieldError('keyColumn', '主键列应与主键信息项对应的列一致')
    const existing = await trx
      .selectFrom('exchangeJobs')
      .select('id')
      .where('kind', '=', 'feed')
      .where('resourceId', '=', entry.resourceId)
      .where('status', '<>', 'stopped')
      .executeTakeFirst()
    if (existing) throw conflict('该目录已有前置机挂接任务，请先停止原任务')
    const job = await trx
      .insertInto('exchangeJobs')
      .values({
        kind: 'feed',
        nodeId: node.id,
        resourceId: entry.resourceId,
        connection: body.connection,
        tableName: body.table,
        keyColumn: body.keyColumn,
        incrementalColumn: body.incrementalColumn ?? null,
        columnMap: JSON.stringify(body.columns),
        whereFilter: body.where ?? null,
        // SPEC §5.1 phys_delete: deletes are carried only where the entry says the source deletes rows.
        carryDeletes: entry.physDelete === true,
        splitPk: body.splitPk ?? null,
        ...controls(body),
        status: 'verifying',
        deliveredItems: '[]',
        createdBy: ctx.actor.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(trx, ctx, {
      action: 'exchange.feed.create',
      objectType: 'exchange_job',
      objectId: job.id,
      detail: { resourceId: entry.resourceId, nodeId: node.id, table: body.table },
    })
    return job
  })
}

/** A delivery of an active 库表 grant to a node of the consumer (SPEC §7.6): full first, then each new batch. */
export async function createDelivery(ctx: Ctx, body: DeliveryBody) {
  return ctx.db.transaction().execute(async (trx) => {
    const grant = await findGrantView(trx, body.grantId)
    if (!grant || (grant.consumerOrgId !== ctx.actor.orgId && grant.providerOrgId !== ctx.actor.orgId)) throw notFound('授权')
    authorize(ctx.actor, 'exchange.delivery.create', grant, '只能为本单位获得的授权建立交付任务')
    if (grant.mode !== 'table') throw fieldError('grantId', '该授权不是库表方式')
    if (grant.status !== 'active' || grant.validUntil < beijingDateTime(ctx.now()).date) throw new AppError(409, 'GRANT_INACTIVE', '授权不在有效期内，不能交付')
    const entry = await findPublishedEntry(trx, grant.resourceId)
    if (!entry) throw notFound('目录')
    const plan = deliveryPlan(grant, entry.items, ctx.config.dataKey)
    if ('refused' in plan) throw new AppError(409, 'NOT_DELIVERABLE', plan.refused)
    const node = await ownNodeWith(ctx, trx, body.nodeId, body.connection)
    const existing = await trx
      .selectFrom('exchangeJobs')
      .select('id')
      .where('grantId', '=', grant.id)
      .where('kind', '=', 'delivery')
      .where('status', '<>', 'purged')
      .executeTakeFirst()
    if (existing) throw conflict('该授权已有交付任务')
    const job = await trx
      .insertInto('exchangeJobs')
      .values({
        kind: 'delivery',
        nodeId: node.id,
        resourceId: grant.resourceId,
        grantId: grant.id,
        connection: body.connection,
        tableName: body.table,
        columnMap: '[]',
        writeMode: body.writeMode ?? 'upsert',
        ...controls(body),
        status: 'active',
        deliveredItems: '[]',
        createdBy: ctx.actor.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(trx, ctx, {
      action: 'exchange.delivery.create',
      objectType: 'exchange_job',
      objectId: job.id,
      grantId: grant.id,
      detail: { nodeId: node.id, table: body.table },
    })
    return job
  })
}

async function ownJob(ctx: Ctx, db: Executor, jobId: string) {
  const job = await db
    .selectFrom('exchangeJobs as j')
    .innerJoin('exchangeNodes as n', 'n.id', 'j.nodeId')
    .selectAll('j')
    .select('n.orgId')
    .where('j.id', '=', jobId)
    .forUpdate('j')
    .executeTakeFirst()
  return authorizeLoaded(ctx.actor, 'exchange.job.update', job, '交换任务', '只能管理本单位的交换任务')
}

/** Run on demand (SPEC §7.3: "or on demand"); `full` forces a full load or delivery. */
export async function requestRun(ctx: Ctx, jobId: string, full: boolean) {
  return ctx.db.transaction().execute(async (trx) => {
    const job = await ownJob(ctx, trx, jobId)
    if (job.status !== 'active') throw new AppError(409, 'INVALID_STATE', '只有运行中的任务可以立即执行')
    await trx
      .updateTable('exchangeJobs')
      .set({ runRequested: true, fullRequested: full || job.fullRequested, nextRunAt: null, updatedAt: ctx.now() })
      .where('id', '=', job.id)
      .execute()
    await recordAudit(trx, ctx, {
      action: 'exchange.job.update',
      objectType: 'exchange_job',
      objectId: job.id,
      grantId: job.grantId,
      detail: { run: full ? 'full' : 'next' },
    })
  })
}

/** Stops a job; a delivery's target table is purged on the node (what was delivered is no longer kept in step). */
export async function stopJob(ctx: Ctx, jobId: string, reason: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const job = await ownJob(ctx, trx, jobId)
    if (job.status === 'stopped' || job.status === 'purged' || job.status === 'purging') throw new AppError(409, 'INVALID_STATE', '任务已停止')
    const now = ctx.now()
    const patch = job.kind === 'delivery' ? { status: 'purging' as const, purgeRequestedAt: now } : { status: 'stopped' as const }
    await trx
      .updateTable('exchangeJobs')
      .set({ ...patch, statusReason: reason, updatedAt: now })
      .where('id', '=', job.id)
      .execute()
    await recordAudit(trx, ctx, { action: 'exchange.job.update', objectType: 'exchange_job', objectId: job.id, grantId: job.grantId, detail: { stop: reason } })
  })
}

/**
 * Changes a job's DataX-like controls (channels, speed cap, error limit; a delivery's write mode). They apply
 * from the next run the node takes; a run in progress keeps the controls it was handed.
 */
export async function updateJobControls(ctx: Ctx, jobId: string, body: JobControlsBody) {
  return ctx.db.transaction().execute(async (trx) => {
    const job = await ownJob(ctx, trx, jobId)
    if (job.status === 'stopped' || job.status === 'purging' || job.status === 'purged') throw new AppError(409, 'INVALID_STATE', '任务已停止，不能调整')
    if (body.writeMode !== undefined && job.kind !== 'delivery') throw fieldError('writeMode', '写入方式只适用于交付任务')
    const patch = {
      ...(body.channels !== undefined ? { channels: body.channels } : {}),
      ...(body.speedRecords !== undefined ? { speedRecords: body.speedRecords } : {}),
      ...(body.speedBytes !== undefined ? { speedBytes: body.speedBytes } : {}),
      ...(body.errorLimitCount !== undefined ? { errorLimitCount: body.errorLimitCount } : {}),
      ...(body.errorLimitShare !== undefined ? { errorLimitShare: body.errorLimitShare === null ? null : String(body.errorLimitShare) } : {}),
      ...(body.writeMode !== undefined ? { writeMode: body.writeMode } : {}),
    }
    await trx
      .updateTable('exchangeJobs')
      .set({ ...patch, updatedAt: ctx.now() })
      .where('id', '=', job.id)
      .execute()
    await recordAudit(trx, ctx, {
      action: 'exchange.job.update',
      objectType: 'exchange_job',
      objectId: job.id,
      grantId: job.grantId,
      detail: { controls: body },
    })
  })
}

/**
 * Pauses an active job (no new runs; nothing is purged) or resumes a paused one. A grant that lapses while its
 * delivery is paused is still purged: resuming hands the job back to the planner, which checks the grant first.
 */
export async function setJobPaused(ctx: Ctx, jobId: string, paused: boolean) {
  return ctx.db.transaction().execute(async (trx) => {
    const job = await ownJob(ctx, trx, jobId)
    if (paused && job.status !== 'active') throw new AppError(409, 'INVALID_STATE', '只有运行中的任务可以暂停')
    if (!paused && job.status !== 'paused') throw new AppError(409, 'INVALID_STATE', '只有已暂停的任务可以恢复')
    await trx
      .updateTable('exchangeJobs')
      .set({ status: paused ? 'paused' : 'active', updatedAt: ctx.now() })
      .where('id', '=', job.id)
      .execute()
    await recordAudit(trx, ctx, { action: 'exchange.job.update', objectType: 'exchange_job', objectId: job.id, grantId: job.grantId, detail: { paused } })
  })
}

/** Jobs the actor's scope covers, with their node, entry, provider and (deliveries) consumer names. */
export async function listJobs(ctx: Ctx, filter: JobsQuery) {
  const rows = await ctx.db
    .selectFrom('exchangeJobs as j')
    .innerJoin('exchangeNodes as n', 'n.id', 'j.nodeId')
    .innerJoin('orgs as o', 'o.id', 'n.orgId')
    .innerJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 'j.resourceId').on('v.isLatest', '=', true))
    .innerJoin('orgs as p', 'p.id', 'v.providerOrgId')
    .selectAll('j')
    .select(['n.name as nodeName', 'n.orgId', 'o.name as orgName', 'v.name as resourceName', 'p.name as providerOrgName'])
    .where(scopeWhere(scopeOf(ctx.actor, 'exchange.node.read'), { orgId: sql.ref('n.org_id') }))
    .$if(filter.nodeId !== undefined, (qb) => qb.where('j.nodeId', '=', filter.nodeId!))
    .$if(filter.orgId !== undefined, (qb) => qb.where('n.orgId', '=', filter.orgId!))
    .$if(filter.status !== undefined, (qb) => qb.where('j.status', '=', filter.status!))
    .$if(filter.kind !== undefined, (qb) => qb.where('j.kind', '=', filter.kind!))
    .$if(filter.flagged, (qb) => qb.where('j.flaggedAt', 'is not', null))
    .orderBy('j.createdAt', 'desc')
    .execute()
  return rows.map((j) => ({
    ...j,
    errorLimitShare: j.errorLimitShare === null ? null : Number(j.errorLimitShare),
    actions: { manage: can(ctx.actor, 'exchange.job.update', j) },
  }))
}

const runFigures = <
  T extends { rowsRead: string | number; rowsWritten: string | number; rowsDeleted: string | number; rowsFailed: string | number; bytes: string | number },
>(
  r: T,
) => ({
  ...r,
  rowsRead: Number(r.rowsRead),
  rowsWritten: Number(r.rowsWritten),
  rowsDeleted: Number(r.rowsDeleted),
  rowsFailed: Number(r.rowsFailed),
  bytes: Number(r.bytes),
})

/** The runs of a job the actor sees, newest first. */
export async function listRuns(ctx: Ctx, jobId: string, limit: number) {
  const job = await ctx.db
    .selectFrom('exchangeJobs as j')
    .innerJoin('exchangeNodes as n', 'n.id', 'j.nodeId')
    .select(['j.id', 'n.orgId'])
    .where('j.id', '=', jobId)
    .executeTakeFirst()
  authorizeLoaded(ctx.actor, 'exchange.node.read', job, '交换任务')
  const runs = await ctx.db.selectFrom('exchangeRuns').selectAll().where('jobId', '=', jobId).orderBy('seq', 'desc').limit(limit).execute()
  return runs.map(runFigures)
}

/**
 * Recent runs of every job the actor's scope covers (the 运行记录 page), newest first, with the job's entry,
 * node and department, and the job's purge state beside each purge run.
 */
export async function listRecentRuns(ctx: Ctx, filter: RecentRunsQuery) {
  const base = ctx.db
    .selectFrom('exchangeRuns as r')
    .innerJoin('exchangeJobs as j', 'j.id', 'r.jobId')
    .innerJoin('exchangeNodes as n', 'n.id', 'j.nodeId')
    .innerJoin('orgs as o', 'o.id', 'n.orgId')
    .innerJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 'j.resourceId').on('v.isLatest', '=', true))
    .where(scopeWhere(scopeOf(ctx.actor, 'exchange.node.read'), { orgId: sql.ref('n.org_id') }))
    .$if(filter.jobId !== undefined, (qb) => qb.where('r.jobId', '=', filter.jobId!))
    .$if(filter.orgId !== undefined, (qb) => qb.where('n.orgId', '=', filter.orgId!))
    .$if(filter.status !== undefined, (qb) => qb.where('r.status', '=', filter.status!))
  const [rows, total] = await Promise.all([
    base
      .select([
        'r.id',
        'r.jobId',
        'r.kind',
        'r.status',
        'r.startedAt',
        'r.finishedAt',
        'r.rowsRead',
        'r.rowsWritten',
        'r.rowsDeleted',
        'r.rowsFailed',
        'r.bytes',
        'r.durationMs',
        'r.error',
      ])
      .select([
        'j.kind as jobKind',
        'j.tableName',
        'j.status as jobStatus',
        'j.purgeRequestedAt',
        'j.purgedAt',
        'n.name as nodeName',
        'n.orgId',
        'o.name as orgName',
        'v.name as resourceName',
      ])
      .orderBy('r.seq', 'desc')
      .limit(filter.pageSize)
      .offset(pageOffset(filter))
      .execute(),
    base.select(({ fn }) => fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items: rows.map(runFigures), total: Number(total.n), page: filter.page, pageSize: filter.pageSize }
}
