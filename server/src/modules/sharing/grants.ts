import { sql } from 'kysely'
import { recordAudit } from '../../platform/audit/record.ts'
import { type Action, authorizeLoaded, can, scopeOf } from '../../platform/auth/policy.ts'
import { beijingDateTime } from '../../platform/calendar/dates.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { invalidState } from '../../platform/http/errors.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import { grantsChanged } from './grant-signal.ts'
import { reconfirmItems } from './grant-follow.ts'
import { type GrantView, findGrantView, findOpenReconfirmation, listGrantEvents, listGrants, lockGrant, updateGrant } from './queries.ts'
import type { GrantListQuery, GrantOut } from './schemas.ts'

export function presentGrant(ctx: Ctx, view: GrantView): GrantOut {
  const { versionItems, ...grant } = view
  const byId = new Map(versionItems.map((item) => [item.id, item]))
  return {
    ...grant,
    items: grant.itemIds
      .filter((id) => byId.has(id))
      .map((id) => ({ id, name: byId.get(id)!.name, nameEn: byId.get(id)!.nameEn, masking: grant.masking[id] ?? 'none' })),
    createdAt: new Date(grant.createdAt),
    actions: {
      revoke: grant.status === 'active' || grant.status === 'suspended' ? can(ctx.actor, 'sharing.grant.revoke', grant) : false,
      suspend: grant.status === 'active' ? can(ctx.actor, 'sharing.grant.suspend', grant) : false,
      resume: grant.status === 'suspended' ? can(ctx.actor, 'sharing.grant.resume', grant) : false,
      reconfirm: grant.status === 'active' ? can(ctx.actor, 'sharing.grant.reconfirm', grant) : false,
    },
  }
}

export async function getGrant(ctx: Ctx, id: string) {
  const view = authorizeLoaded(ctx.actor, 'sharing.grant.read', await findGrantView(ctx.db, id), '授权')
  return withCatalogEffects(ctx.db, presentGrant(ctx, view))
}

/** The detail adds what catalog changes did to the grant (the consumer's notices) and any open reconfirmation. */
async function withCatalogEffects(db: Executor, grant: GrantOut): Promise<GrantOut> {
  const [events, open] = await Promise.all([listGrantEvents(db, grant.id), findOpenReconfirmation(db, grant.id)])
  return {
    ...grant,
    events: events.map((e) => ({ ...e, at: new Date(e.at) })),
    reconfirmation: open ?? null,
    actions: { ...grant.actions, reconfirm: grant.actions.reconfirm && (!!open || grant.suspendedItemIds.length > 0) },
  }
}

export async function listGrantsFor(ctx: Ctx, query: GrantListQuery) {
  const { items, total } = await listGrants(ctx.db, ctx.actor.orgId, scopeOf(ctx.actor, 'sharing.grant.read'), query)
  return { items: items.map((view) => presentGrant(ctx, view)), total, page: query.page, pageSize: query.pageSize }
}

/** Loads a grant for a status change under a row lock: 404 unless the actor sees it, then the policy rule. */
const lockGrantFor = async (trx: Executor, ctx: Ctx, id: string, action: Action) => authorizeLoaded(ctx.actor, action, await lockGrant(trx, id), '授权')

/**
 * Status changes of a grant (SPEC §6.5, §7.5): revoke (final), suspend (security incident, misuse)
 * and resume. Each is audited with its reason; the gateway refuses a grant that is not active
 * (GRANT_INACTIVE) from the next call in this process and within its cache time elsewhere.
 */
async function changeGrantStatus(ctx: Ctx, id: string, change: 'revoke' | 'suspend' | 'resume', reason: string) {
  const view = await ctx.db.transaction().execute(async (trx) => {
    const grant = await lockGrantFor(trx, ctx, id, `sharing.grant.${change}`)
    let status: 'revoked' | 'suspended' | 'active'
    if (change === 'revoke') {
      if (grant.status !== 'active' && grant.status !== 'suspended') throw invalidState('该授权已失效，无需撤销')
      status = 'revoked'
    } else if (change === 'suspend') {
      if (grant.status !== 'active') throw invalidState(grant.status === 'suspended' ? '该授权已暂停' : '只有生效中的授权可以暂停')
      status = 'suspended'
    } else {
      if (grant.status !== 'suspended') throw invalidState('只有已暂停的授权可以恢复')
      if (String(grant.validUntil) < beijingDateTime(ctx.now()).date) throw invalidState('该授权已超过有效期，不能恢复；请重新申请')
      status = 'active'
    }
    await updateGrant(trx, id, { status, statusReason: reason, statusChangedAt: ctx.now(), statusChangedBy: ctx.actor.userId })
    await recordAudit(trx, ctx, {
      action: `sharing.grant.${change}`,
      objectType: 'grant',
      objectId: id,
      grantId: id,
      detail: { reason, from: grant.status, to: status },
    })
    return (await findGrantView(trx, id))!
  })
  grantsChanged()
  return presentGrant(ctx, view)
}

/**
 * SPEC §7.2: the provider reconfirms items the catalog made more restrictive; they keep flowing (or,
 * suspended after the deadline, resume). The consumer sees the reconfirmation among the grant's events.
 */
export async function reconfirmGrant(ctx: Ctx, id: string, comment: string | null) {
  const view = await ctx.db.transaction().execute(async (trx) => {
    const grant = await lockGrantFor(trx, ctx, id, 'sharing.grant.reconfirm')
    if (grant.status !== 'active') throw invalidState('只有生效中的授权可以重新确认')
    if (!(await reconfirmItems(trx, ctx, grant, comment))) throw invalidState('该授权没有待重新确认的信息项')
    return (await findGrantView(trx, id))!
  })
  grantsChanged()
  return withCatalogEffects(ctx.db, presentGrant(ctx, view))
}

export const revokeGrant = (ctx: Ctx, id: string, reason: string) => changeGrantStatus(ctx, id, 'revoke', reason)
export const suspendGrant = (ctx: Ctx, id: string, reason: string) => changeGrantStatus(ctx, id, 'suspend', reason)
export const resumeGrant = (ctx: Ctx, id: string, reason: string) => changeGrantStatus(ctx, id, 'resume', reason)

/** Marks grants whose validity ended before `today` as expired (the gateway also checks validity per call). */
export async function expireGrants(db: Executor, now: Date) {
  const today = beijingDateTime(now).date
  const expired = await db
    .updateTable('grants')
    .set({ status: 'expired', statusReason: '有效期届满' })
    .where('status', 'in', ['active', 'suspended'])
    .where('validUntil', '<', today)
    .returning('id')
    .execute()
  if (expired.length > 0) grantsChanged()
  return expired.length
}

/**
 * R-9 / [809] usage records of a grant, newest first: its successful gateway calls (each call log is
 * the usage record of an API use, with its 办件号) and the rows of usage_records, kept for the table
 * and file channels (SPEC §7.6), which write there when they are built.
 */
export async function listUsage(ctx: Ctx, grantId: string, query: { page: number; pageSize: number }) {
  const grant = authorizeLoaded(ctx.actor, 'sharing.usage.list', await findGrantView(ctx.db, grantId), '授权')
  const calls = ctx.db.selectFrom('callLogs').where('grantId', '=', grantId).where('result', '=', 'success')
  const recorded = ctx.db.selectFrom('usageRecords').where('grantId', '=', grantId)
  // Each side is cut, in the page's own order, to the rows the page can need before the merge (calls are read backwards along call_logs_grant_idx).
  const reach = pageOffset(query) + query.pageSize
  const pageQuery = ctx.db
    .selectFrom((db) =>
      db
        .selectFrom(() =>
          calls
            .select([
              'id',
              sql<'gateway' | 'record'>`'gateway'`.as('source'),
              'requestInAt as at',
              sql<string | null>`null::uuid`.as('userId'),
              'appId',
              'businessRef',
              sql<string | null>`null::text`.as('purpose'),
              'rowsReturned as rows',
            ])
            .orderBy('requestInAt', 'desc')
            .orderBy('id', 'desc')
            .limit(reach)
            .as('c'),
        )
        .selectAll()
        .unionAll(
          db
            .selectFrom(() =>
              recorded
                .select(['id', sql<'gateway' | 'record'>`'record'`.as('source'), 'at', 'userId', 'appId', 'businessRef', 'purpose', 'rows'])
                .orderBy('at', 'desc')
                .orderBy('id', 'desc')
                .limit(reach)
                .as('r'),
            )
            .selectAll(),
        )
        .as('u'),
    )
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.pageSize)
    .offset(pageOffset(query))
  const [page, callCount, recordCount] = await Promise.all([
    pageQuery.execute(),
    calls.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    recorded.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  // People read an app and a user by name, not by id.
  const appIds = [...new Set(page.map((r) => r.appId).filter((id): id is string => !!id))]
  const userIds = [...new Set(page.map((r) => r.userId).filter((id): id is string => !!id))]
  const [apps, users] = await Promise.all([
    appIds.length ? ctx.db.selectFrom('apps').select(['id', 'name']).where('id', 'in', appIds).execute() : [],
    userIds.length ? ctx.db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute() : [],
  ])
  const appName = new Map(apps.map((a) => [a.id, a.name]))
  const userName = new Map(users.map((u) => [u.id, u.name]))
  return {
    items: page.map((r) => ({
      ...r,
      id: Number(r.id),
      grantId,
      at: new Date(r.at),
      appName: r.appId ? (appName.get(r.appId) ?? null) : null,
      userName: r.userId ? (userName.get(r.userId) ?? null) : null,
      purpose: r.purpose ?? (r.source === 'gateway' ? grant.purpose : null),
    })),
    total: Number(callCount.n) + Number(recordCount.n),
    page: query.page,
    pageSize: query.pageSize,
  }
}
