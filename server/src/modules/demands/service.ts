import { type Updateable, sql } from 'kysely'
import { SHARE_TYPE } from '../../../../common/catalog.ts'
import type { z } from 'zod'
import { recordAudit } from '../../platform/audit/record.ts'
import type { Actor } from '../../platform/auth/actor.ts'
import { type Action, authorize, authorizeLoaded, scopeOf } from '../../platform/auth/policy.ts'
import { type Ctx, makeCtx } from '../../platform/context.ts'
import type { Executor, Trx } from '../../platform/db/database.ts'
import type { DemandStatus, DemandsTable } from '../../platform/db/schema.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { AppError, fieldError, invalidState } from '../../platform/http/errors.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import { notify, notifyAuthority } from '../../platform/notify/index.ts'
import { nextNumber, stageClock, stageDeadline } from '../../platform/workflow/clock.ts'
import { stageState, stageTimeline } from '../../platform/workflow/stages.ts'
import { findPublishedEntry, visibleInZone } from '../catalog/index.ts'
import { insertCase, submitShareRequest } from '../sharing/index.ts'
import { type CreateDemandBody, DEMAND_STATUS_LABELS, type DemandListQuery, type FulfilBody, type RespondBody, type TriageBody } from './schemas.ts'
import { similarity } from './similarity.ts'

/**
 * Demands (供需对接, SPEC §6.9, §7.9): a department registers data it needs that the catalog lacks; the
 * authority triages within 2 WD (assign a provider, match an existing entry, or reject); the assigned
 * provider accepts and fulfils within 10 WD by cataloguing and mounting, after which a share request
 * for the requester opens by itself, or declines with a reason, which opens a coordination case.
 */

export const withNames = (db: Executor) =>
  db
    .selectFrom('demands as d')
    .innerJoin('orgs as r', 'r.id', 'd.requesterOrgId')
    .innerJoin('users as u', 'u.id', 'd.createdBy')
    .leftJoin('orgs as p', 'p.id', 'd.providerOrgId')
    .leftJoin('orgs as s', 's.id', 'd.suggestedProviderOrgId')
    .leftJoin('resourceVersions as mv', (join) => join.onRef('mv.resourceId', '=', 'd.matchedResourceId').on('mv.isLatest', '=', true))
    .leftJoin('resourceVersions as fv', (join) => join.onRef('fv.resourceId', '=', 'd.resourceId').on('fv.isLatest', '=', true))
    .selectAll('d')
    .select([
      'r.name as requesterOrgName',
      'u.name as createdByName',
      'p.name as providerName',
      's.name as suggestedProviderName',
      'mv.name as matchedResourceName',
      'fv.name as resourceName',
    ])

export type DemandRow = NonNullable<Awaited<ReturnType<ReturnType<typeof withNames>['executeTakeFirst']>>>

export const present = (row: DemandRow) => ({
  ...row,
  ...stageState(row, DEMAND_STATUS_LABELS[row.status]),
  createdAt: new Date(row.createdAt),
})

async function load(db: Executor, ctx: Ctx, id: string, action: Action, lock = false) {
  const row = await withNames(db)
    .where('d.id', '=', id)
    .$if(lock, (qb) => qb.forUpdate('d'))
    .executeTakeFirst()
  return authorizeLoaded(ctx.actor, action, row, '数据需求')
}

async function detail(db: Executor, ctx: Ctx, id: string) {
  const row = await load(db, ctx, id, 'demands.demand.read')
  return { ...present(row), events: await stageTimeline(db, 'demands', id) }
}

async function move(
  trx: Executor,
  ctx: Ctx,
  row: { id: string; status: DemandStatus },
  to: DemandStatus,
  action: string,
  comment: string | null,
  changes: Updateable<DemandsTable> = {},
) {
  const now = ctx.now()
  await trx
    .updateTable('demands')
    .set({ ...changes, status: to, updatedAt: now })
    .where('id', '=', row.id)
    .execute()
  await trx
    .insertInto('demandEvents')
    .values({ demandId: row.id, at: now, actorId: ctx.actor.userId, action, fromStatus: row.status, toStatus: to, comment })
    .execute()
  await recordAudit(trx, ctx, { action: `demands.demand.${action}`, objectType: 'demand', objectId: row.id, detail: { to } })
}

export async function createDemand(ctx: Ctx, body: CreateDemandBody) {
  authorize(ctx.actor, 'demands.demand.create')
  return ctx.db.transaction().execute(async (trx) => {
    if (body.suggestedProviderOrgId) {
      const org = await trx.selectFrom('orgs').select('id').where('id', '=', body.suggestedProviderOrgId).where('kind', '!=', 'region').executeTakeFirst()
      if (!org) throw fieldError('suggestedProviderOrgId', '建议提供部门不存在')
    }
    if (body.appIds.length > 0) {
      const own = await trx
        .selectFrom('apps')
        .select('id')
        .where('id', 'in', body.appIds)
        .where('orgId', '=', ctx.actor.orgId)
        .where('status', '=', 'active')
        .execute()
      const missing = body.appIds.findIndex((appId) => !own.some((app) => app.id === appId))
      if (missing >= 0) throw fieldError(`appIds[${missing}]`, '应用不存在、已停用或不是本单位的应用')
    }
    const now = ctx.now()
    const deadline = await stageDeadline(trx, now, 'demands.triageWorkdays')
    const { id } = await trx
      .insertInto('demands')
      .values({
        no: await nextNumber(trx, 'demands', 'XQ', now),
        requesterOrgId: ctx.actor.orgId,
        createdBy: ctx.actor.userId,
        title: body.title,
        description: body.description,
        wantedItems: body.wantedItems,
        purpose: body.purpose,
        dutyBasis: body.dutyBasis,
        urgency: body.urgency,
        suggestedProviderOrgId: body.suggestedProviderOrgId ?? null,
        appIds: body.appIds,
        status: 'submitted',
        ...stageClock('triage', deadline),
        createdAt: now,
        updatedAt: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await trx
      .insertInto('demandEvents')
      .values({ demandId: id, at: now, actorId: ctx.actor.userId, action: 'submit', fromStatus: null, toStatus: 'submitted', comment: null })
      .execute()
    await recordAudit(trx, ctx, { action: 'demands.demand.create', objectType: 'demand', objectId: id })
    await notifyAuthority(trx, { kind: 'demand.submitted', title: `数据需求待分办：${body.title}`, objectType: 'demand', objectId: id, dueAt: deadline.dueAt })
    return detail(trx, ctx, id)
  })
}

/** Published entries ranked by similarity to the demand (the authority's matching aid), best first. */
export async function suggestMatches(ctx: Ctx, id: string, limit = 10) {
  const row = await load(ctx.db, ctx, id, 'demands.demand.triage')
  const entries = await ctx.db
    .selectFrom('resourceVersions as v')
    .innerJoin('orgs as p', 'p.id', 'v.providerOrgId')
    .select(['v.resourceId', 'v.name', 'v.abstract', 'v.items', 'v.secret', 'v.providerOrgId', 'p.name as providerName'])
    .where('v.isPublished', '=', true)
    .execute()
  return entries
    .filter((entry) => entry.providerOrgId !== row.requesterOrgId && visibleInZone(ctx.config.networkZone, entry))
    .map((entry) => ({ resourceId: entry.resourceId, name: entry.name, providerName: entry.providerName, ...similarity(row, entry) }))
    .filter((match) => match.score >= 0.2)
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name, 'zh'))
    .slice(0, limit)
}

export async function triageDemand(ctx: Ctx, id: string, body: z.infer<typeof TriageBody>) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await load(trx, ctx, id, 'demands.demand.triage', true)
    if (row.status !== 'submitted') throw invalidState('该需求已分办')
    const comment = body.comment ?? null
    if (body.decision === 'reject') {
      await move(trx, ctx, row, 'rejected', 'reject', comment, { response: comment, ...stageClock(null, null) })
      await notify(trx, { userId: row.createdBy, kind: 'demand.rejected', title: `数据需求被退回：${row.title}`, objectType: 'demand', objectId: id })
    } else if (body.decision === 'assign') {
      const provider = await trx
        .selectFrom('orgs')
        .select(['id', 'name'])
        .where('id', '=', body.providerOrgId!)
        .where('kind', '!=', 'region')
        .executeTakeFirst()
      if (!provider) throw fieldError('providerOrgId', '提供部门不存在')
      if (provider.id === row.requesterOrgId) throw fieldError('providerOrgId', '不能指派需求方自己')
      const deadline = await stageDeadline(trx, ctx.now(), 'demands.providerWorkdays')
      // The provider's due time outlives its stage clock: M10 counts the demand after the stage closes.
      await move(trx, ctx, row, 'assigned', 'assign', comment, {
        providerOrgId: provider.id,
        response: comment,
        providerDueAt: deadline.dueAt,
        providerDoneAt: null,
        ...stageClock('provider', deadline),
      })
      await notify(trx, {
        orgId: provider.id,
        kind: 'demand.assigned',
        title: `新的数据需求待响应：${row.title}`,
        objectType: 'demand',
        objectId: id,
        dueAt: deadline.dueAt,
      })
      await notify(trx, {
        userId: row.createdBy,
        kind: 'demand.assigned',
        title: `数据需求已指派${provider.name}：${row.title}`,
        objectType: 'demand',
        objectId: id,
      })
    } else {
      const entry = await findPublishedEntry(trx, body.resourceId!)
      if (!entry || !visibleInZone(ctx.config.networkZone, entry)) throw fieldError('resourceId', '目录不存在或未发布')
      if (entry.providerOrgId === row.requesterOrgId) throw fieldError('resourceId', '该目录为需求方本单位的目录')
      await move(trx, ctx, row, 'matched', 'match', comment, {
        matchedResourceId: entry.resourceId,
        providerOrgId: entry.providerOrgId,
        response: comment,
        ...stageClock(null, null),
      })
      await openRequestFor(trx, ctx, { ...row, status: 'matched' }, entry.resourceId)
    }
    return detail(trx, ctx, id)
  })
}

export async function respondDemand(ctx: Ctx, id: string, body: z.infer<typeof RespondBody>) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await load(trx, ctx, id, 'demands.demand.respond', true)
    if (row.status !== 'assigned') throw invalidState('该需求不在待响应阶段')
    if (body.decision === 'accept') {
      // Accepted demands are the provider's 责任清单; the 10-WD clock from the assignment keeps running.
      await move(trx, ctx, row, 'accepted', 'accept', body.comment ?? null, { response: body.comment ?? null })
      await notify(trx, {
        userId: row.createdBy,
        kind: 'demand.accepted',
        title: `提供部门已接受数据需求，期限 ${row.dueDate}：${row.title}`,
        objectType: 'demand',
        objectId: id,
        dueAt: row.dueAt ? new Date(row.dueAt) : null,
      })
    } else {
      const caseId = await insertCase(trx as Trx, ctx, {
        origin: 'demand_refusal',
        demandId: id,
        resourceId: null,
        applicantOrgId: row.requesterOrgId,
        providerOrgId: row.providerOrgId!,
        statement: `数据需求「${row.title}」（${row.no}）被提供部门拒绝：${body.comment}`,
      })
      await move(trx, ctx, row, 'declined', 'decline', body.comment!, { response: body.comment!, caseId, providerDoneAt: ctx.now(), ...stageClock(null, null) })
      await notify(trx, {
        userId: row.createdBy,
        kind: 'demand.declined',
        title: `提供部门拒绝了数据需求，已转协调：${row.title}`,
        objectType: 'demand',
        objectId: id,
      })
    }
    return detail(trx, ctx, id)
  })
}

/** The provider has catalogued and mounted the data: the published entry fulfils the demand. */
export async function fulfilDemand(ctx: Ctx, id: string, body: z.infer<typeof FulfilBody>) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await load(trx, ctx, id, 'demands.demand.fulfil', true)
    if (row.status !== 'accepted' && row.status !== 'assigned') throw invalidState('该需求不在办理阶段')
    const entry = await findPublishedEntry(trx, body.resourceId)
    if (!entry || entry.providerOrgId !== row.providerOrgId) throw fieldError('resourceId', '请选择本单位已发布（已编目并挂接）的目录')
    await move(trx, ctx, row, 'fulfilled', 'fulfil', body.comment ?? null, {
      resourceId: entry.resourceId,
      providerDoneAt: ctx.now(),
      ...stageClock(null, null),
    })
    await openRequestFor(trx, ctx, { ...row, status: 'fulfilled' }, entry.resourceId)
    return detail(trx, ctx, id)
  })
}

/**
 * SPEC §7.9: the requester's share request opens by itself, as the person who registered the demand,
 * for every shareable item, through the apps the demand named. When it cannot (no app named, no 接口
 * mode, nothing shareable) the requester is told to apply, with the reason on the demand's timeline.
 */
async function openRequestFor(trx: Trx | Executor, ctx: Ctx, row: DemandRow, resourceId: string) {
  const entry = (await findPublishedEntry(trx, resourceId))!
  const itemIds = entry.items.filter((item) => item.shareType !== SHARE_TYPE.notShared).map((item) => item.id)
  const user = await trx
    .selectFrom('users as u')
    .innerJoin('orgs as o', 'o.id', 'u.orgId')
    .select(['u.id', 'u.username', 'u.name', 'u.orgId', 'u.roles', 'u.status', 'o.name as orgName', 'o.kind as orgKind'])
    .where('u.id', '=', row.createdBy)
    .executeTakeFirstOrThrow()
  let reason: string | null = null
  let requestId: string | null = null
  if (row.appIds.length === 0) reason = '需求未指定使用数据的应用'
  else if (!entry.shareModes.includes('api')) reason = '该目录不提供接口方式'
  else if (itemIds.length === 0 || entry.shareType === SHARE_TYPE.notShared) reason = '该目录为不予共享，请通过协调解决'
  else if (user.status !== 'active' || !user.roles.includes('REQUESTER')) reason = '需求登记人已不能提出申请'
  else {
    const actor: Actor = {
      userId: user.id,
      username: user.username,
      name: user.name,
      orgId: user.orgId,
      orgName: user.orgName,
      orgKind: user.orgKind,
      roles: user.roles,
      sessionId: '',
    }
    const asRequester = { ...makeCtx({ db: ctx.db, actor, config: ctx.config, now: ctx.now }), requestId: ctx.requestId, ip: ctx.ip }
    try {
      requestId = await submitShareRequest(trx as Trx, asRequester, {
        resourceId,
        itemIds,
        purpose: row.purpose as '业务协同',
        dutyBasis: row.dutyBasis,
        purposeDetail: row.purpose === '其他' ? `数据需求 ${row.no}：${row.title}` : undefined,
        mode: 'api',
        appIds: row.appIds,
      })
    } catch (error) {
      // The checks of a request (apps still active, zone, …) run before it writes anything.
      if (!(error instanceof AppError)) throw error
      reason = error.message
    }
  }
  const title = requestId ? `数据需求已满足，已为您发起共享申请：${row.title}` : `数据需求已有可用目录，请提出共享申请（${reason}）：${row.title}`
  if (requestId) await trx.updateTable('demands').set({ requestId }).where('id', '=', row.id).execute()
  await trx
    .insertInto('demandEvents')
    .values({
      demandId: row.id,
      at: ctx.now(),
      actorId: null,
      action: requestId ? 'request_opened' : 'request_needed',
      fromStatus: row.status,
      toStatus: row.status,
      comment: requestId ? '已自动发起共享申请' : reason,
    })
    .execute()
  await notify(trx, {
    userId: row.createdBy,
    kind: 'demand.available',
    title,
    objectType: requestId ? 'share_request' : 'demand',
    objectId: requestId ?? row.id,
  })
}

export const getDemand = (ctx: Ctx, id: string) => detail(ctx.db, ctx, id)

export const visibleDemands = (ctx: Ctx, db: Executor = ctx.db) =>
  withNames(db).where(
    scopeWhere(scopeOf(ctx.actor, 'demands.demand.read'), { requesterOrgId: sql.ref('d.requesterOrgId'), providerOrgId: sql.ref('d.providerOrgId') }),
  )

/** 需求清单 (every demand one sees) or 责任清单 (accepted and fulfilled demands, per provider, by due date). */
export function demandList(ctx: Ctx, list: 'demand' | 'responsibility', status?: DemandStatus) {
  return visibleDemands(ctx)
    .$if(list === 'responsibility', (qb) => qb.where('d.status', 'in', ['accepted', 'fulfilled']).orderBy('p.name').orderBy('d.dueDate'))
    .$if(list === 'demand', (qb) => qb.orderBy('d.createdAt', 'desc'))
    .$if(!!status, (qb) => qb.where('d.status', '=', status!))
}

export async function listDemands(ctx: Ctx, query: z.infer<typeof DemandListQuery>) {
  const base = demandList(ctx, query.list, query.status)
  const [rows, total] = await Promise.all([
    base.limit(query.pageSize).offset(pageOffset(query)).execute(),
    base
      .clearSelect()
      .clearOrderBy()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  return { items: rows.map(present), total: Number(total.n), page: query.page, pageSize: query.pageSize }
}
