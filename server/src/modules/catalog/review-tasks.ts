import { sql } from 'kysely'
import { recordAudit } from '../../platform/audit/record.ts'
import { authorize, authorizeLoaded, scopeOf } from '../../platform/auth/policy.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { workdayDeadline } from '../../platform/calendar/working-days.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Trx } from '../../platform/db/database.ts'
import { AppError, fieldError, invalidState } from '../../platform/http/errors.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import { findOrg } from '../orgs/index.ts'
import type { ReviewTaskQuery } from './schemas.ts'
import { beijingInstant } from '../../platform/calendar/dates.ts'

// update the catalog within 15 working days of a law revision or a change of functions.
export const CATALOG_UPDATE_WORKDAYS = 15

export interface ChangeEventInput {
  orgId?: string
  kind: 'law_revision' | 'function_change'
  occurredOn?: string
  description: string
}

/**
 * Opens the catalog update task of a binding coordination decision that reclassifies an entry (SPEC
 * §7.10): one change event of kind 'coordination_decision' for the provider and one review task for the
 * entry, due 15 working days later. The provider's catalogers find it among their update tasks; only a
 * published version that meets the decided share type settles it (the provider cannot dismiss it).
 * Runs in the caller's (the decision's) transaction.
 */
export async function openEntryChangeTask(
  trx: Trx,
  ctx: Ctx,
  input: { caseId: string; resourceId: string; providerOrgId: string; description: string; shareType: 1 | 2; itemIds?: readonly string[] },
) {
  const now = ctx.now()
  const { dueDate, dueAt } = await workdayDeadline(trx, now, CATALOG_UPDATE_WORKDAYS)
  const event = await trx
    .insertInto('catalogChangeEvents')
    .values({
      orgId: input.providerOrgId,
      kind: 'coordination_decision',
      occurredAt: now,
      description: input.description,
      createdBy: ctx.actor.userId,
      caseId: input.caseId,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const task = await trx
    .insertInto('catalogReviewTasks')
    .values({
      eventId: event.id,
      resourceId: input.resourceId,
      orgId: input.providerOrgId,
      dueDate,
      dueAt,
      requiredShareType: input.shareType,
      requiredItemIds: input.itemIds ? [...input.itemIds] : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await recordAudit(trx, ctx, {
    action: 'catalog.change-event.create',
    objectType: 'catalog_change_event',
    objectId: event.id,
    detail: { orgId: input.providerOrgId, kind: 'coordination_decision', caseId: input.caseId, resourceId: input.resourceId, tasks: 1, dueDate },
  })
  return { eventId: event.id, taskId: task.id, dueDate }
}

/**
 * Records a 法律法规修订 / 职能调整 event and opens one review task, due 15 working days later,
 * for every live entry of the organisation (SPEC §7.2 "Trigger clock").
 */
export async function recordChangeEvent(ctx: Ctx, input: ChangeEventInput) {
  const orgId = input.orgId ?? ctx.actor.orgId
  authorize(ctx.actor, 'catalog.change-event.create', { orgId }, '只能为本单位登记变化事项')
  return ctx.db.transaction().execute(async (trx) => {
    const org = await findOrg(trx, orgId)
    if (!org || org.kind === 'region') throw fieldError('orgId', '单位不存在或不是部门')
    // A date alone counts as that working day's morning: the clock starts from that date.
    const occurredAt = input.occurredOn ? beijingInstant(input.occurredOn, '09:00') : ctx.now()
    const { dueDate, dueAt } = await workdayDeadline(trx, occurredAt, CATALOG_UPDATE_WORKDAYS)
    const event = await trx
      .insertInto('catalogChangeEvents')
      .values({ orgId, kind: input.kind, occurredAt, description: input.description, createdBy: ctx.actor.userId })
      .returning('id')
      .executeTakeFirstOrThrow()
    const entries = await trx
      .selectFrom('resourceVersions')
      .select('resourceId')
      .where('providerOrgId', '=', orgId)
      .where('isLatest', '=', true)
      .where('status', '<>', 'withdrawn')
      .execute()
    if (entries.length > 0) {
      await trx
        .insertInto('catalogReviewTasks')
        .values(entries.map((e) => ({ eventId: event.id, resourceId: e.resourceId, orgId, dueDate, dueAt })))
        .execute()
    }
    await recordAudit(trx, ctx, {
      action: 'catalog.change-event.create',
      objectType: 'catalog_change_event',
      objectId: event.id,
      detail: { orgId, kind: input.kind, tasks: entries.length, dueDate },
    })
    return { id: event.id, orgId, kind: input.kind, occurredAt, dueDate, dueAt, tasks: entries.length }
  })
}

/**
 * A decided reclassification is met when every item it names (or, naming none, the entry) is at
 * least as open as decided: share type 1 is more open than 2, 2 than 3. Items since removed count as met.
 */
export function meetsReclassification(
  task: { requiredShareType: number; requiredItemIds: readonly string[] | null },
  version: { shareType: number; items: readonly { id: string; shareType: number }[] },
) {
  if (!task.requiredItemIds) return version.shareType <= task.requiredShareType
  const byId = new Map(version.items.map((item) => [item.id, item.shareType]))
  return task.requiredItemIds.every((id) => (byId.get(id) ?? 0) <= task.requiredShareType)
}

/** A newly published version settles the entry's open update tasks, a decided reclassification only when it meets it. */
export async function closeReviewTasksOnPublish(
  trx: Trx,
  ctx: Ctx,
  resourceId: string,
  version: { version: number; shareType: number; items: readonly { id: string; shareType: number }[] },
) {
  const open = await trx
    .selectFrom('catalogReviewTasks')
    .select(['id', 'requiredShareType', 'requiredItemIds'])
    .where('resourceId', '=', resourceId)
    .where('status', '=', 'open')
    .forUpdate()
    .execute()
  const settled = open.filter(
    (task) =>
      task.requiredShareType === null || meetsReclassification({ requiredShareType: task.requiredShareType, requiredItemIds: task.requiredItemIds }, version),
  )
  if (settled.length === 0) return
  await trx
    .updateTable('catalogReviewTasks')
    .set({ status: 'done', resolution: `已发布第 ${version.version} 版`, doneBy: ctx.actor.userId, doneAt: ctx.now() })
    .where(
      'id',
      'in',
      settled.map((task) => task.id),
    )
    .execute()
}

export async function listReviewTasks(ctx: Ctx, query: ReviewTaskQuery) {
  const now = ctx.now()
  const orgId = query.orgId
  const base = ctx.db
    .selectFrom('catalogReviewTasks as t')
    .innerJoin('catalogChangeEvents as e', 'e.id', 't.eventId')
    .innerJoin('orgs as o', 'o.id', 't.orgId')
    .innerJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 't.resourceId').on('v.isLatest', '=', true))
    .where(scopeWhere(scopeOf(ctx.actor, 'catalog.review-task.read'), { orgId: sql.ref('t.orgId') }))
    .$if(!!orgId, (qb) => qb.where('t.orgId', '=', orgId!))
    .$if(!!query.status, (qb) => qb.where('t.status', '=', query.status!))
    .$if(query.overdue === 'true', (qb) => qb.where('t.status', '=', 'open').where('t.dueAt', '<', now))
    .$if(query.overdue === 'false', (qb) => qb.where('t.dueAt', '>=', now))
  const [rows, total] = await Promise.all([
    base
      .select([
        't.id',
        't.resourceId',
        'v.name as resourceName',
        't.orgId',
        'o.name as orgName',
        't.eventId',
        'e.kind as eventKind',
        'e.description as eventDescription',
        't.dueDate',
        't.dueAt',
        't.status',
        't.resolution',
        't.doneAt',
        sql<boolean>`t.status = 'open' and t.due_at < ${now}`.as('overdue'),
      ])
      .orderBy('t.status', 'desc')
      .orderBy('t.dueAt')
      .limit(query.pageSize)
      .offset(pageOffset(query))
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return {
    items: rows.map((r) => ({ ...r, dueAt: new Date(r.dueAt), doneAt: r.doneAt ? new Date(r.doneAt) : null })),
    total: total.n,
    page: query.page,
    pageSize: query.pageSize,
  }
}

/** The department confirms an entry needs no change after the event (or has been handled). */
export async function completeReviewTask(ctx: Ctx, id: string, resolution: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const task = authorizeLoaded(
      ctx.actor,
      'catalog.review-task.complete',
      await trx.selectFrom('catalogReviewTasks').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),
      '更新任务',
    )
    if (task.status !== 'open') throw invalidState('该任务已处理')
    // SPEC §7.10: a coordination decision binds the catalog; only the republished entry settles it.
    if (task.requiredShareType !== null) {
      throw new AppError(
        409,
        'RECLASSIFICATION_REQUIRED',
        '该任务来自主管部门有约束力的协调决定，须按决定调整共享类型并重新发布目录，发布后自动办结，不能直接标记完成',
      )
    }
    await trx.updateTable('catalogReviewTasks').set({ status: 'done', resolution, doneBy: ctx.actor.userId, doneAt: ctx.now() }).where('id', '=', id).execute()
    await recordAudit(trx, ctx, { action: 'catalog.review-task.complete', objectType: 'catalog_review_task', objectId: id })
    return { id, status: 'done' as const, resolution }
  })
}
