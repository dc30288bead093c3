import { sql } from 'kysely'
import { recordAudit } from '../../platform/audit/record.ts'
import { type Action, authorize, authorizeLoaded, scopeOf } from '../../platform/auth/policy.ts'
import { beijingDateTime } from '../../platform/calendar/dates.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { fieldError, invalidState, notFound } from '../../platform/http/errors.ts'
import { notify, notifyAuthority } from '../../platform/notify/index.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import { findPublishedEntry, openEntryChangeTask, visibleInZone } from '../catalog/index.ts'
import { buildGrantTerms } from './grant-terms.ts'
import { createGrant } from './requests.ts'
import type { CaseDecisionBody } from './schemas.ts'
import { SHARE_TYPE, SHARE_TYPES } from '../../../../common/catalog.ts'

/**
 * Coordination cases (协调, SPEC §7.10, R-6): opened from a refused request or a 不予共享 need;
 * the parties record their negotiation; the authority decides, and its decision binds.
 */

const casesWithNames = (db: Executor) =>
  db
    .selectFrom('coordinationCases as k')
    .innerJoin('orgs as a', 'a.id', 'k.applicantOrgId')
    .innerJoin('orgs as p', 'p.id', 'k.providerOrgId')
    .leftJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 'k.resourceId').on('v.isLatest', '=', true))
    .selectAll('k')
    .select(['a.name as applicantOrgName', 'p.name as providerName', 'v.name as resourceName'])

const dates = <T extends { decidedAt: Date | string | null; closedAt: Date | string | null; createdAt: Date | string }>(row: T) => ({
  ...row,
  decidedAt: row.decidedAt ? new Date(row.decidedAt) : null,
  closedAt: row.closedAt ? new Date(row.closedAt) : null,
  createdAt: new Date(row.createdAt),
})

async function loadCase(db: Executor, ctx: Ctx, id: string, action: Action = 'sharing.case.read') {
  return authorizeLoaded(ctx.actor, action, await casesWithNames(db).where('k.id', '=', id).executeTakeFirst(), '协调案件')
}

async function presentCase(db: Executor, ctx: Ctx, id: string) {
  const row = await loadCase(db, ctx, id)
  const notes = await db.selectFrom('coordinationNotes').select(['at', 'actorId', 'orgId', 'kind', 'text']).where('caseId', '=', id).orderBy('id').execute()
  const grant = row.requestId ? await db.selectFrom('shareRequests').select('grantId').where('id', '=', row.requestId).executeTakeFirst() : undefined
  return { ...dates(row), notes: notes.map((n) => ({ ...n, at: new Date(n.at) })), grantId: grant?.grantId ?? null }
}

export async function openCase(ctx: Ctx, body: { requestId?: string; resourceId?: string; statement: string }) {
  authorize(ctx.actor, 'sharing.case.create')
  return ctx.db.transaction().execute(async (trx) => {
    let origin: 'refused_request' | 'not_shareable'
    let resourceId: string
    let providerOrgId: string
    if (body.requestId) {
      const request = await trx.selectFrom('shareRequests').selectAll().where('id', '=', body.requestId).executeTakeFirst()
      if (!request || request.requesterOrgId !== ctx.actor.orgId) throw fieldError('requestId', '申请不存在或不是本单位的申请')
      if (request.status !== 'rejected') throw invalidState('只有被拒绝的申请可以提请协调')
      origin = 'refused_request'
      resourceId = request.resourceId
      providerOrgId = request.providerOrgId
    } else {
      const entry = await findPublishedEntry(trx, body.resourceId!)
      if (!entry || !visibleInZone(ctx.config.networkZone, entry)) throw fieldError('resourceId', '目录不存在或未发布')
      if (entry.providerOrgId === ctx.actor.orgId) throw invalidState('本单位的数据无需协调')
      if (entry.shareType === SHARE_TYPE.unconditional) throw invalidState('该资源为无条件共享，可直接申请')
      origin = 'not_shareable'
      resourceId = entry.resourceId
      providerOrgId = entry.providerOrgId
    }
    const id = await insertCase(trx, ctx, {
      origin,
      requestId: body.requestId ?? null,
      resourceId,
      applicantOrgId: ctx.actor.orgId,
      providerOrgId,
      statement: body.statement,
    })
    return presentCase(trx, ctx, id)
  })
}

export interface NewCase {
  origin: 'refused_request' | 'not_shareable' | 'demand_refusal' | 'objection_dispute'
  requestId?: string | null
  objectionId?: string | null
  demandId?: string | null
  resourceId: string | null
  applicantOrgId: string
  providerOrgId: string
  statement: string
}

/**
 * Opens a case in the caller's transaction: from a refused request or 不予共享 need here, and from
 * a declined demand or a disputed objection (their modules). One case in progress per applicant and
 * resource; the statement is the case's first note, by the actor who opened it.
 */
export async function insertCase(trx: Executor, ctx: Ctx, body: NewCase): Promise<string> {
  if (body.resourceId) {
    const open = await trx
      .selectFrom('coordinationCases')
      .select('id')
      .where('applicantOrgId', '=', body.applicantOrgId)
      .where('resourceId', '=', body.resourceId)
      .where('status', 'in', ['open', 'negotiating', 'authority_coordinating', 'escalated_up'])
      .executeTakeFirst()
    if (open) throw invalidState('该资源已有进行中的协调案件')
  }
  const { id } = await trx
    .insertInto('coordinationCases')
    .values({
      origin: body.origin,
      requestId: body.requestId ?? null,
      objectionId: body.objectionId ?? null,
      demandId: body.demandId ?? null,
      resourceId: body.resourceId,
      applicantOrgId: body.applicantOrgId,
      providerOrgId: body.providerOrgId,
      statement: body.statement,
      status: 'open',
      createdBy: ctx.actor.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await trx
    .insertInto('coordinationNotes')
    .values({ caseId: id, at: ctx.now(), actorId: ctx.actor.userId, orgId: ctx.actor.orgId, kind: 'statement', text: body.statement })
    .execute()
  await recordAudit(trx, ctx, { action: 'sharing.case.create', objectType: 'coordination_case', objectId: id, detail: { origin: body.origin } })
  for (const orgId of new Set([body.applicantOrgId, body.providerOrgId])) {
    await notify(trx, { orgId, kind: 'coordination.opened', title: '新的协调案件：请双方先行协商', objectType: 'coordination_case', objectId: id })
  }
  return id
}

export async function addCaseNote(ctx: Ctx, id: string, text: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await loadCase(trx, ctx, id, 'sharing.case.note')
    if (!['open', 'negotiating', 'authority_coordinating', 'escalated_up'].includes(row.status)) throw invalidState('案件已有决定，不能再记录协商')
    await trx
      .insertInto('coordinationNotes')
      .values({ caseId: id, at: ctx.now(), actorId: ctx.actor.userId, orgId: ctx.actor.orgId, kind: 'negotiation', text })
      .execute()
    if (row.status === 'open') await trx.updateTable('coordinationCases').set({ status: 'negotiating' }).where('id', '=', id).execute()
    await recordAudit(trx, ctx, { action: 'sharing.case.note', objectType: 'coordination_case', objectId: id })
    return presentCase(trx, ctx, id)
  })
}

/**
 * SPEC §7.10: the departments negotiate first; only a case whose negotiation is on record goes to
 * the authority, brought by either party or taken up by the authority itself.
 */
export async function escalateCase(ctx: Ctx, id: string, text: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await loadCase(trx, ctx, id, 'sharing.case.escalate')
    if (row.status === 'open') throw invalidState('请双方先行协商并记录协商情况，协商不成再提请主管部门协调')
    if (row.status !== 'negotiating') throw invalidState('案件不在协商阶段')
    await trx.updateTable('coordinationCases').set({ status: 'authority_coordinating' }).where('id', '=', id).execute()
    await trx
      .insertInto('coordinationNotes')
      .values({ caseId: id, at: ctx.now(), actorId: ctx.actor.userId, orgId: ctx.actor.orgId, kind: 'escalation', text })
      .execute()
    await recordAudit(trx, ctx, { action: 'sharing.case.escalate', objectType: 'coordination_case', objectId: id })
    await notifyAuthority(trx, { kind: 'coordination.escalated', title: '协调案件待主管部门协调', objectType: 'coordination_case', objectId: id })
    return presentCase(trx, ctx, id)
  })
}

/** SPEC §6.10: matters involving provincial or central departments go up (市政府/省级); the authority records the outcome. */
export async function escalateCaseUp(ctx: Ctx, id: string, text: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await loadCase(trx, ctx, id, 'sharing.case.escalate-up')
    if (row.status !== 'authority_coordinating') throw invalidState('只有主管部门协调中的案件可以提交上级协调')
    await trx.updateTable('coordinationCases').set({ status: 'escalated_up' }).where('id', '=', id).execute()
    await trx
      .insertInto('coordinationNotes')
      .values({ caseId: id, at: ctx.now(), actorId: ctx.actor.userId, orgId: ctx.actor.orgId, kind: 'escalation', text })
      .execute()
    await recordAudit(trx, ctx, { action: 'sharing.case.escalate-up', objectType: 'coordination_case', objectId: id })
    return presentCase(trx, ctx, id)
  })
}

/** CLOSED (SPEC §7.10): the decision has been carried out; nothing more is recorded on the case. */
export async function closeCase(ctx: Ctx, id: string, text: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await loadCase(trx, ctx, id, 'sharing.case.close')
    if (row.status !== 'decided') throw invalidState('案件作出决定后方可结案')
    await trx.updateTable('coordinationCases').set({ status: 'closed', closedAt: ctx.now(), closedBy: ctx.actor.userId }).where('id', '=', id).execute()
    await trx
      .insertInto('coordinationNotes')
      .values({ caseId: id, at: ctx.now(), actorId: ctx.actor.userId, orgId: ctx.actor.orgId, kind: 'closing', text })
      .execute()
    await recordAudit(trx, ctx, { action: 'sharing.case.close', objectType: 'coordination_case', objectId: id })
    return presentCase(trx, ctx, id)
  })
}

/**
 * The authority's binding decision. `grant_with_conditions` on a refused request grants the requested
 * items with default masking (the provider may narrow them later by revoking and re-granting).
 */
export async function decideCase(ctx: Ctx, id: string, body: CaseDecisionBody) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = authorizeLoaded(
      ctx.actor,
      'sharing.case.decide',
      await trx.selectFrom('coordinationCases').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),
      '协调案件',
    )
    if (row.status === 'decided' || row.status === 'closed') throw invalidState('案件已有决定')
    if (row.status !== 'authority_coordinating' && row.status !== 'escalated_up') throw invalidState('双方协商并提请协调后，主管部门方可作出决定')
    if (body.decision === 'grant_with_conditions') {
      if (!row.requestId) throw invalidState('不予共享资源须先调整目录共享类型（reclassify），再由申请方申请')
      const request = (await trx.selectFrom('shareRequests').selectAll().where('id', '=', row.requestId).forUpdate().executeTakeFirst())!
      const entry = await findPublishedEntry(trx, request.resourceId)
      if (!entry) throw invalidState('该目录已下架，不能授权')
      const today = beijingDateTime(ctx.now()).date
      const { terms, problems } = buildGrantTerms(request, entry.items, {}, today)
      if (!terms) throw invalidState(problems[0].message)
      const grantId = await createGrant(trx, ctx, request, terms, {})
      const conditions = body.conditions ? `；使用条件：${body.conditions}` : ''
      await trx
        .updateTable('shareRequests')
        .set({ status: 'granted', grantId, decision: 'approve', decisionReason: `协调决定：${body.text}${conditions}` })
        .where('id', '=', request.id)
        .execute()
      await trx
        .insertInto('shareRequestEvents')
        .values({
          requestId: request.id,
          at: ctx.now(),
          actorId: ctx.actor.userId,
          action: 'coordination_grant',
          fromStatus: 'rejected',
          toStatus: 'granted',
          comment: body.text,
        })
        .execute()
    }
    if (body.decision === 'reclassify') {
      // Binding on the catalog (SPEC §7.10): the provider must change the entry's share type within 15 working days.
      if (!row.resourceId) throw invalidState('该案件没有关联目录，不能作出调整目录共享类型的决定')
      const entry = await findPublishedEntry(trx, row.resourceId)
      const known = new Set((entry?.items ?? []).map((item) => item.id))
      const stray = (body.itemIds ?? []).findIndex((itemId) => !known.has(itemId))
      if (stray >= 0) throw fieldError(`itemIds[${stray}]`, '信息项不属于该目录的已发布版本')
      await openEntryChangeTask(trx, ctx, {
        caseId: id,
        resourceId: row.resourceId,
        providerOrgId: row.providerOrgId,
        description: `协调决定调整共享类型为「${SHARE_TYPES[body.shareType!]}」：${body.text}`,
        shareType: body.shareType!,
        ...(body.itemIds ? { itemIds: body.itemIds } : {}),
      })
    }
    await trx
      .updateTable('coordinationCases')
      .set({
        status: 'decided',
        decision: body.decision,
        decisionText: body.text,
        conditions: body.conditions ?? null,
        decidedBy: ctx.actor.userId,
        decidedAt: ctx.now(),
      })
      .where('id', '=', id)
      .execute()
    for (const orgId of [row.applicantOrgId, row.providerOrgId]) {
      await notify(trx, { orgId, kind: 'coordination.decided', title: '协调案件已作出决定', objectType: 'coordination_case', objectId: id })
    }
    await trx
      .insertInto('coordinationNotes')
      .values({ caseId: id, at: ctx.now(), actorId: ctx.actor.userId, orgId: ctx.actor.orgId, kind: 'decision', text: body.text })
      .execute()
    await recordAudit(trx, ctx, { action: 'sharing.case.decide', objectType: 'coordination_case', objectId: id, detail: { decision: body.decision } })
    return presentCase(trx, ctx, id)
  })
}

export const getCase = (ctx: Ctx, id: string) => presentCase(ctx.db, ctx, id)

export async function listCases(ctx: Ctx, query: { page: number; pageSize: number; status?: string }) {
  const visible = scopeWhere(scopeOf(ctx.actor, 'sharing.case.read'), {
    applicantOrgId: sql.ref('k.applicantOrgId'),
    providerOrgId: sql.ref('k.providerOrgId'),
  })
  const base = casesWithNames(ctx.db)
    .where(visible)
    .$if(!!query.status, (qb) => qb.where('k.status', '=', query.status as 'open'))
  const [items, total] = await Promise.all([
    base.orderBy('k.createdAt', 'desc').limit(query.pageSize).offset(pageOffset(query)).execute(),
    ctx.db
      .selectFrom('coordinationCases as k')
      .where(visible)
      .$if(!!query.status, (qb) => qb.where('k.status', '=', query.status as 'open'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  return { items: items.map(dates), total: total.n, page: query.page, pageSize: query.pageSize }
}
