import { recordAudit } from '../../platform/audit/record.ts'
import type { Actor } from '../../platform/auth/actor.ts'
import { type Action, authorize, authorizeLoaded, can, scopeOf } from '../../platform/auth/policy.ts'
import { addDays, beijingDateTime, endOfBeijingDay } from '../../platform/calendar/dates.ts'
import { addWorkdays, workdayDeadline, workdaysBetween } from '../../platform/calendar/working-days.ts'
import { numberParameter } from '../../platform/config/parameters.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor, Trx } from '../../platform/db/database.ts'
import type { ShareRequestStatus } from '../../platform/db/schema.ts'
import { AppError, fieldError, invalidState, notFound, validationFailed } from '../../platform/http/errors.ts'
import { findPublishedEntry, visibleInZone } from '../catalog/index.ts'
import type { ReidentificationWarning } from '../../platform/masking/reidentification.ts'
import type { StoredItem } from '../../platform/db/schema.ts'
import { type GrantTerms, type TermsInput, buildGrantTerms, termsWarnings } from './grant-terms.ts'
import { assertModeProvisioned } from './delivery.ts'
import {
  type ShareRequestRow,
  type ShareRequestView,
  findRequestView,
  insertGrant,
  insertRequest,
  insertRequestEvent,
  listRequestEvents,
  listRequests,
  lockRequest,
  nextRequestNo,
  updateRequest,
} from './queries.ts'
import { findOrg } from '../orgs/index.ts'
import { activeMountKinds } from '../mounts/index.ts'
import {
  type AuthorityDecisionBody,
  type ComplianceReviewBody,
  type CreateRequestBody,
  type DecisionBody,
  type DecisionPreviewBody,
  REQUEST_STATUS_LABELS,
  type RequestListQuery,
  type ShareRequestOut,
} from './schemas.ts'
import { SHARE_TYPE } from '../../../../common/catalog.ts'

// SPEC §7.1: the one extension the authority may grant an overdue request.
const DEFAULT_EXTENSION_WORKDAYS = 5

const today = (ctx: Ctx) => beijingDateTime(ctx.now()).date
const OPEN_STATUSES: readonly ShareRequestStatus[] = ['compliance_review', 'returned', 'pending', 'need_more_info', 'escalated']

async function remainingWorkdays(db: Executor, ctx: Ctx, row: ShareRequestRow) {
  if (!row.dueDate || !OPEN_STATUSES.includes(row.status)) return null
  return workdaysBetween(db, today(ctx), row.dueDate)
}

function requestActions(actor: Actor, row: ShareRequestRow) {
  const subject = { requesterOrgId: row.requesterOrgId, providerOrgId: row.providerOrgId }
  return {
    decide: (row.status === 'pending' || row.status === 'escalated') && can(actor, 'sharing.request.decide', subject),
    requestInfo: row.status === 'pending' && !row.pauseUsed && can(actor, 'sharing.request.request-info', subject),
    resubmit: (row.status === 'need_more_info' || row.status === 'returned') && can(actor, 'sharing.request.resubmit', subject),
    complianceReview: row.status === 'compliance_review' && can(actor, 'sharing.request.compliance-review', subject),
    withdraw: OPEN_STATUSES.includes(row.status) && can(actor, 'sharing.request.withdraw', subject),
    authorityDecide: row.status === 'escalated' && can(actor, 'sharing.request.authority-decide', subject),
    coordinate: row.status === 'rejected' && row.requesterOrgId === actor.orgId && can(actor, 'sharing.case.create'),
  }
}

async function present(db: Executor, ctx: Ctx, view: ShareRequestView, withHistory: boolean): Promise<ShareRequestOut> {
  const { versionItems, ...row } = view
  return {
    ...row,
    items: versionItems.filter((item) => row.itemIds.includes(item.id)).map(({ id, name, nameEn, shareType }) => ({ id, name, nameEn, shareType })),
    mode: row.mode,
    statusLabel: REQUEST_STATUS_LABELS[row.status],
    dueAt: row.dueAt ? new Date(row.dueAt) : null,
    pausedAt: row.pausedAt ? new Date(row.pausedAt) : null,
    escalatedAt: row.escalatedAt ? new Date(row.escalatedAt) : null,
    reviewedAt: row.reviewedAt ? new Date(row.reviewedAt) : null,
    decidedAt: row.decidedAt ? new Date(row.decidedAt) : null,
    createdAt: new Date(row.createdAt),
    remainingWorkdays: await remainingWorkdays(db, ctx, row),
    ...(withHistory ? { history: (await listRequestEvents(db, row.id)).map((e) => ({ ...e, at: new Date(e.at) })) } : {}),
    actions: requestActions(ctx.actor, row),
  }
}

async function reload(db: Executor, ctx: Ctx, id: string) {
  return present(db, ctx, (await findRequestView(db, id))!, true)
}

async function transition(trx: Trx, ctx: Ctx, row: ShareRequestRow, action: string, to: ShareRequestStatus, comment: string | null) {
  await insertRequestEvent(trx, { requestId: row.id, at: ctx.now(), actorId: ctx.actor.userId, action, fromStatus: row.status, toStatus: to, comment })
  await recordAudit(trx, ctx, { action: `sharing.request.${action}`, objectType: 'share_request', objectId: row.id, detail: { from: row.status, to } })
}

/** Creates the grant a decision (or the unconditional path, or a coordination decision) gives. */
export async function createGrant(
  trx: Trx,
  ctx: Ctx,
  row: Pick<ShareRequestRow, 'id' | 'resourceId' | 'providerOrgId' | 'requesterOrgId' | 'mode' | 'purpose' | 'appIds'>,
  terms: GrantTerms,
  limits: TermsInput & { rateLimitPerMinute?: number; dailyQuota?: number },
  warnings: readonly ReidentificationWarning[] = [],
) {
  // Every path to a grant passes here, so none issues one for a mode the platform cannot deliver.
  assertModeProvisioned(row.mode)
  const rateLimitPerMinute = limits.rateLimitPerMinute ?? (await numberParameter(trx, 'gateway.defaultRateLimitPerMinute'))
  const dailyQuota = limits.dailyQuota ?? (await numberParameter(trx, 'gateway.defaultDailyQuota'))
  const { id } = await insertGrant(trx, {
    requestId: row.id,
    resourceId: row.resourceId,
    providerOrgId: row.providerOrgId,
    consumerOrgId: row.requesterOrgId,
    appIds: row.appIds,
    itemIds: terms.itemIds,
    masking: JSON.stringify(terms.masking),
    rowFilter: JSON.stringify(terms.rowFilter),
    mode: row.mode,
    purpose: row.purpose,
    validFrom: today(ctx),
    validUntil: terms.validUntil,
    lookupKeys: terms.lookupKeys,
    rateLimitPerMinute,
    dailyQuota,
    status: 'active',
    createdBy: ctx.actor.userId,
    // The command's time, like its audit event and history (a test clock or a replayed timeline included).
    createdAt: ctx.now(),
  })
  // The warnings the approver was shown and granted over are part of the record.
  const warned = warnings.length > 0 ? { warnings: warnings.map((w) => w.code) } : {}
  await recordAudit(trx, ctx, {
    action: 'sharing.grant.create',
    objectType: 'grant',
    objectId: id,
    grantId: id,
    detail: { requestId: row.id, items: terms.itemIds.length, ...warned },
  })
  return id
}

/**
 * Submits a request (SPEC §7.5). Share type is per item (R-4): a request for 无条件 items only is
 * granted at once, even from a 有条件 entry; any 有条件 item makes it pending, due in 10 working days.
 * Items marked 不予共享 are never requestable; a 不予共享 entry points to a coordination case.
 */
export async function createShareRequest(ctx: Ctx, body: CreateRequestBody) {
  authorize(ctx.actor, 'sharing.request.create')
  return ctx.db.transaction().execute(async (trx) => reload(trx, ctx, await submitShareRequest(trx, ctx, body)))
}

/** The request's submission in the caller's transaction (a fulfilled demand opens one for its requester); returns its id. */
export async function submitShareRequest(trx: Trx, ctx: Ctx, body: CreateRequestBody): Promise<string> {
  const entry = await findPublishedEntry(trx, body.resourceId)
  if (!entry || !visibleInZone(ctx.config.networkZone, entry)) throw notFound('已发布的目录')
  if (entry.providerOrgId === ctx.actor.orgId) throw new AppError(409, 'OWN_RESOURCE', '本单位的数据无需申请共享')
  if (entry.shareType === SHARE_TYPE.notShared) {
    throw new AppError(
      409,
      'NOT_SHAREABLE',
      `「${entry.name}」为不予共享资源，不能申请。如确因履职需要，请通过 POST /api/v1/coordination-cases（协调申请）提出协调`,
    )
  }
  if (!entry.shareModes.includes(body.mode)) throw fieldError('mode', `该资源不提供此共享方式，可选：${entry.shareModes.join('、') || '无'}`)
  assertModeProvisioned(body.mode)
  const items = new Map(entry.items.map((item) => [item.id, item]))
  const unknown = body.itemIds.findIndex((id) => !items.has(id))
  if (unknown >= 0) throw fieldError(`itemIds[${unknown}]`, '信息项不属于该资源')
  const requested = body.itemIds.map((id) => items.get(id)!)
  const refused = requested.filter((item) => item.shareType === SHARE_TYPE.notShared)
  if (refused.length > 0) {
    throw new AppError(
      409,
      'ITEM_NOT_SHAREABLE',
      `信息项「${refused.map((i) => i.name).join('、')}」为不予共享，不能申请`,
      refused.map((i) => ({ field: 'itemIds', message: `${i.name}：${i.shareCondition ?? '不予共享'}` })),
    )
  }
  await checkOwnApps(trx, ctx, body.appIds ?? [])
  const now = ctx.now()
  const validUntil = await requestedValidity(trx, today(ctx), body.validUntil)
  const immediate = requested.every((item) => item.shareType === SHARE_TYPE.unconditional)
  // SPEC §7.1: the provider's tenant (the city or its county) sets the clocks, and whether the authority
  // reviews conditional requests before the provider (GP24); unconditional data is never held up (R-4).
  const tenant = await providerTenant(trx, entry.providerOrgId)
  const reviewFirst = !immediate && (await numberParameter(trx, 'sharing.complianceReview', tenant)) === 1
  const replyWorkdays = immediate || reviewFirst ? null : await numberParameter(trx, 'sharing.providerReplyWorkdays', tenant)
  const deadline = immediate ? null : await workdayDeadline(trx, now, replyWorkdays ?? (await numberParameter(trx, 'sharing.complianceReviewWorkdays', tenant)))
  const status: ShareRequestStatus = reviewFirst ? 'compliance_review' : 'pending'
  const row = {
    no: await nextRequestNo(trx, today(ctx)),
    resourceId: entry.resourceId,
    resourceVersion: entry.version,
    providerOrgId: entry.providerOrgId,
    requesterOrgId: ctx.actor.orgId,
    requesterId: ctx.actor.userId,
    itemIds: body.itemIds,
    appIds: body.appIds ?? [],
    purpose: body.purpose,
    purposeDetail: body.purposeDetail ?? null,
    dutyBasis: body.dutyBasis,
    scenario: body.scenario ?? null,
    mode: body.mode,
    validUntil,
    status,
    shareType: entry.shareType,
    dueAt: deadline?.dueAt ?? null,
    dueDate: deadline?.dueDate ?? null,
    replyWorkdays,
    replyClock: replyWorkdays ? ('standard' as const) : null,
    // 提交时间 is when it was submitted (the command's time), the same instant as its history's first step.
    createdAt: now,
  }
  const { id } = await insertRequest(trx, row)
  const created = (await lockRequest(trx, id))!
  await insertRequestEvent(trx, { requestId: id, at: now, actorId: ctx.actor.userId, action: 'submit', fromStatus: null, toStatus: status, comment: null })
  await recordAudit(trx, ctx, {
    action: 'sharing.request.create',
    objectType: 'share_request',
    objectId: id,
    detail: { no: row.no, shareType: entry.shareType },
  })
  if (immediate) {
    // R-4: unconditional data is obtained directly; default masking still protects personal data.
    const { terms } = buildGrantTerms(row, entry.items, {}, today(ctx))
    const grantId = await createGrant(trx, ctx, created, terms!, {})
    await updateRequest(trx, id, { status: 'granted', decision: 'approve', decidedAt: now, grantId })
    await insertRequestEvent(trx, {
      requestId: id,
      at: now,
      actorId: null,
      action: 'auto_grant',
      fromStatus: 'pending',
      toStatus: 'granted',
      comment: '所申请的信息项均为无条件共享，自动授权',
    })
  }
  return id
}

/** The tenant whose parameters set a request's clocks: the provider's county, or '' for the city. */
async function providerTenant(db: Executor, providerOrgId: string) {
  return (await findOrg(db, providerOrgId))?.regionCode ?? ''
}

/** Whether the entry's data is already on the platform in a form that serves the request's mode. */
async function mountedFor(db: Executor, row: Pick<ShareRequestRow, 'resourceId' | 'mode'>) {
  const kinds = await activeMountKinds(db, row.resourceId)
  if (row.mode === 'api') return kinds.has('table') || kinds.has('api')
  return kinds.has(row.mode)
}

/**
 * GP24 compliance review (SPEC §7.5): the authority passes a conditional request to the provider, or
 * returns it to the requester when its purpose or duty basis is unclear. A pass starts the provider's
 * clock from now: the short clock only when the data is already mounted, the standard one otherwise,
 * since data not yet on the platform must be catalogued and mounted before it can be shared.
 */
export async function reviewCompliance(ctx: Ctx, id: string, body: ComplianceReviewBody) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await lockForAction(trx, ctx, id, 'sharing.request.compliance-review')
    if (row.status !== 'compliance_review') throw invalidState(`该申请当前为「${stateLabel(row.status)}」，不在合规审查阶段（可能已被处理）`)
    const now = ctx.now()
    const reviewed = { reviewedBy: ctx.actor.userId, reviewedAt: now, warnedAt: null, escalatedAt: null }
    if (body.decision === 'return') {
      await updateRequest(trx, id, { ...reviewed, status: 'returned', dueAt: null, dueDate: null })
      await transition(trx, ctx, row, 'compliance_return', 'returned', body.comment!)
      return reload(trx, ctx, id)
    }
    const tenant = await providerTenant(trx, row.providerOrgId)
    const mounted = await mountedFor(trx, row)
    const replyWorkdays = await numberParameter(trx, mounted ? 'sharing.mountedReplyWorkdays' : 'sharing.providerReplyWorkdays', tenant)
    const { dueAt, dueDate } = await workdayDeadline(trx, now, replyWorkdays)
    await updateRequest(trx, id, { ...reviewed, status: 'pending', dueAt, dueDate, replyWorkdays, replyClock: mounted ? 'mounted' : 'standard' })
    const basis = mounted ? '数据已挂接' : '数据尚未挂接'
    await transition(
      trx,
      ctx,
      row,
      'compliance_pass',
      'pending',
      `${body.comment ? `${body.comment}；` : ''}${basis}，提供部门答复时限 ${replyWorkdays} 个工作日（至 ${dueDate}）`,
    )
    return reload(trx, ctx, id)
  })
}

/** SPEC §7.6: the apps named must be the requester's own and in service (checked again by the gateway on every call). */
async function checkOwnApps(trx: Executor, ctx: Ctx, appIds: readonly string[]) {
  if (appIds.length === 0) return
  const own = await trx
    .selectFrom('apps')
    .select('id')
    .where('id', 'in', [...appIds])
    .where('orgId', '=', ctx.actor.orgId)
    .where('status', '=', 'active')
    .execute()
  const found = new Set(own.map((a) => a.id))
  const missing = appIds.findIndex((id) => !found.has(id))
  if (missing >= 0) throw fieldError(`appIds[${missing}]`, '应用不存在、已停用或不是本单位的应用')
}

/** SPEC §6.4: validity defaults to a year (a parameter) and may not pass the platform's maximum. */
async function requestedValidity(trx: Executor, from: string, asked: string | undefined) {
  const validUntil = asked ?? addDays(from, await numberParameter(trx, 'sharing.defaultValidityDays'))
  if (validUntil < from) throw fieldError('validUntil', '有效期不能早于今天')
  const latest = addDays(from, await numberParameter(trx, 'sharing.maxValidityDays'))
  if (validUntil > latest) throw fieldError('validUntil', `有效期不能晚于 ${latest}（平台规定的最长有效期）`)
  return validUntil
}

async function lockForAction(trx: Trx, ctx: Ctx, id: string, action: Action) {
  const row = await lockRequest(trx, id)
  const selfDecision = action === 'sharing.request.decide' && row?.requesterOrgId === ctx.actor.orgId
  return authorizeLoaded(ctx.actor, action, row, '共享申请', selfDecision ? '不能审批本单位提出的申请' : undefined)
}

const stateLabel = (status: ShareRequestStatus) => REQUEST_STATUS_LABELS[status]

/** A decision's grant terms and the re-identification warnings of their masking; a 400 naming each problem. */
function decisionTerms(row: ShareRequestRow, items: readonly StoredItem[], input: TermsInput, day: string) {
  const { terms, problems } = buildGrantTerms(row, items, input, day)
  if (!terms) throw validationFailed(problems, problems[0].message)
  return { terms, warnings: termsWarnings(terms, items) }
}

/**
 * What a grant on these terms would be, before anyone confirms it: the masking with defaults filled in
 * and the re-identification warnings (the console shows them next to the confirm button). Changes nothing.
 */
export async function previewDecision(ctx: Ctx, id: string, body: DecisionPreviewBody) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await lockForAction(trx, ctx, id, 'sharing.request.preview-terms')
    if (row.status !== 'pending' && row.status !== 'escalated') throw invalidState(`该申请当前为「${stateLabel(row.status)}」，不能审批（可能已被处理）`)
    const entry = await findPublishedEntry(trx, row.resourceId)
    if (!entry) throw invalidState('该目录已下架，不能授权')
    const { terms, warnings } = decisionTerms(row, entry.items, body, today(ctx))
    return { itemIds: terms.itemIds, masking: terms.masking, warnings }
  })
}

/** The provider's decision: approve (possibly narrowed) or reject with a reason. Exactly one decision wins. */
export async function decideShareRequest(ctx: Ctx, id: string, body: DecisionBody) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await lockForAction(trx, ctx, id, 'sharing.request.decide')
    // A late answer still counts (and stays overdue in the metrics): the provider may decide an escalated request.
    if (row.status !== 'pending' && row.status !== 'escalated') throw invalidState(`该申请当前为「${stateLabel(row.status)}」，不能审批（可能已被处理）`)
    const entry = await findPublishedEntry(trx, row.resourceId)
    const items = entry?.items ?? []
    const now = ctx.now()
    if (body.decision === 'reject') {
      const requested = items.filter((item) => row.itemIds.includes(item.id))
      // SPEC §7.5: data the catalog marks 无条件 cannot be refused; the provider goes to the authority instead.
      if (requested.length > 0 && requested.every((item) => item.shareType === SHARE_TYPE.unconditional)) {
        throw new AppError(409, 'CANNOT_REFUSE_UNCONDITIONAL', '所申请的信息项在目录中均为无条件共享，不得拒绝；如有异议请提请主管部门协调')
      }
      await updateRequest(trx, id, { status: 'rejected', decision: 'reject', decisionReason: body.reason!, decidedBy: ctx.actor.userId, decidedAt: now })
      await transition(trx, ctx, row, 'decide', 'rejected', body.reason!)
      return reload(trx, ctx, id)
    }
    if (!entry) throw invalidState('该目录已下架，不能授权')
    const { terms, warnings } = decisionTerms(row, items, body, today(ctx))
    const grantId = await createGrant(trx, ctx, row, terms, body, warnings)
    await updateRequest(trx, id, {
      status: 'granted',
      decision: 'approve',
      decisionReason: body.reason ?? null,
      decidedBy: ctx.actor.userId,
      decidedAt: now,
      grantId,
    })
    await transition(trx, ctx, row, 'decide', 'granted', body.reason ?? null)
    return { ...(await reload(trx, ctx, id)), warnings }
  })
}

/** 补正: the provider asks for more information; the clock pauses, once per request. */
export async function requestMoreInfo(ctx: Ctx, id: string, comment: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await lockForAction(trx, ctx, id, 'sharing.request.request-info')
    if (row.status !== 'pending') throw invalidState(`该申请当前为「${stateLabel(row.status)}」，不能要求补正`)
    if (row.pauseUsed) throw invalidState('每个申请只能要求补正一次')
    await updateRequest(trx, id, { status: 'need_more_info', pausedAt: ctx.now(), pauseUsed: true })
    await transition(trx, ctx, row, 'request_info', 'need_more_info', comment)
    return reload(trx, ctx, id)
  })
}

/** The requester answers the 补正: the clock resumes, moved on by the working days it was paused. */
export async function resubmitShareRequest(ctx: Ctx, id: string, body: { comment: string; purposeDetail?: string; dutyBasis?: string }) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await lockForAction(trx, ctx, id, 'sharing.request.resubmit')
    if (row.status === 'returned') return resubmitReturned(trx, ctx, row, body)
    if (row.status !== 'need_more_info') throw invalidState('只有待补正或被退回修改的申请可以重新提交')
    const paused = Math.max(0, await workdaysBetween(trx, beijingDateTime(new Date(row.pausedAt!)).date, today(ctx)))
    const dueDate = paused > 0 ? await addWorkdays(trx, row.dueDate!, paused) : row.dueDate!
    await updateRequest(trx, id, {
      status: 'pending',
      pausedAt: null,
      dueDate,
      dueAt: endOfBeijingDay(dueDate),
      ...(body.purposeDetail !== undefined && { purposeDetail: body.purposeDetail }),
      ...(body.dutyBasis !== undefined && { dutyBasis: body.dutyBasis }),
    })
    await transition(trx, ctx, row, 'resubmit', 'pending', body.comment)
    return reload(trx, ctx, id)
  })
}

/** A request the authority returned goes back to its compliance review, on a fresh clock. */
async function resubmitReturned(trx: Trx, ctx: Ctx, row: ShareRequestRow, body: { comment: string; purposeDetail?: string; dutyBasis?: string }) {
  const tenant = await providerTenant(trx, row.providerOrgId)
  const { dueAt, dueDate } = await workdayDeadline(trx, ctx.now(), await numberParameter(trx, 'sharing.complianceReviewWorkdays', tenant))
  await updateRequest(trx, row.id, {
    status: 'compliance_review',
    dueAt,
    dueDate,
    warnedAt: null,
    ...(body.purposeDetail !== undefined && { purposeDetail: body.purposeDetail }),
    ...(body.dutyBasis !== undefined && { dutyBasis: body.dutyBasis }),
  })
  await transition(trx, ctx, row, 'resubmit', 'compliance_review', body.comment)
  return reload(trx, ctx, row.id)
}

export async function withdrawShareRequest(ctx: Ctx, id: string, reason: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await lockForAction(trx, ctx, id, 'sharing.request.withdraw')
    if (!OPEN_STATUSES.includes(row.status)) throw invalidState(`该申请当前为「${stateLabel(row.status)}」，不能撤回`)
    await updateRequest(trx, id, { status: 'withdrawn' })
    await transition(trx, ctx, row, 'withdraw', 'withdrawn', reason)
    return reload(trx, ctx, id)
  })
}

/** SPEC §7.5: on an overdue (escalated) request the authority grants directly or extends the clock once. */
export async function authorityDecide(ctx: Ctx, id: string, body: AuthorityDecisionBody) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await lockForAction(trx, ctx, id, 'sharing.request.authority-decide')
    if (row.status !== 'escalated') throw invalidState('只有逾期督办中的申请由主管部门处理')
    if (body.decision === 'extend') {
      if (row.extended) throw invalidState('每个申请只能延期一次')
      const { dueAt, dueDate } = await workdayDeadline(trx, ctx.now(), body.extendWorkdays ?? DEFAULT_EXTENSION_WORKDAYS)
      await updateRequest(trx, id, { status: 'pending', extended: true, dueAt, dueDate, escalatedAt: null, warnedAt: null })
      await transition(trx, ctx, row, 'extend', 'pending', body.comment ?? `延期至 ${dueDate}`)
      return reload(trx, ctx, id)
    }
    const entry = await findPublishedEntry(trx, row.resourceId)
    if (!entry) throw invalidState('该目录已下架，不能授权')
    const { terms, warnings } = decisionTerms(row, entry.items, body, today(ctx))
    const grantId = await createGrant(trx, ctx, row, terms, body, warnings)
    await updateRequest(trx, id, {
      status: 'granted',
      decision: 'approve',
      decisionReason: body.comment ?? '主管部门直接授权',
      decidedBy: ctx.actor.userId,
      decidedAt: ctx.now(),
      grantId,
    })
    await transition(trx, ctx, row, 'authority_grant', 'granted', body.comment ?? null)
    return { ...(await reload(trx, ctx, id)), warnings }
  })
}

export async function getShareRequest(ctx: Ctx, id: string) {
  const view = authorizeLoaded(ctx.actor, 'sharing.request.read', await findRequestView(ctx.db, id), '共享申请')
  return present(ctx.db, ctx, view, true)
}

export async function listShareRequests(ctx: Ctx, query: RequestListQuery) {
  const { items, total } = await listRequests(ctx.db, ctx.actor.orgId, scopeOf(ctx.actor, 'sharing.request.read'), query)
  return { items: await Promise.all(items.map((view) => present(ctx.db, ctx, view, false))), total, page: query.page, pageSize: query.pageSize }
}
