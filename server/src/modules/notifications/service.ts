import { sql } from 'kysely'
import { scopeOf } from '../../platform/auth/policy.ts'
import { authorizeLoaded } from '../../platform/auth/policy.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import type { NotificationListQuery } from './schemas.ts'

/**
 * Messages with the caller's read state: a personal message's own `read_at`, an organisation-wide one's
 * row in notification_reads for this user (a colleague's reading does not hide it).
 */
const visible = (db: Executor, ctx: Ctx) =>
  db
    .selectFrom('notifications as n')
    .leftJoin('notificationReads as r', (join) => join.onRef('r.notificationId', '=', 'n.id').on('r.userId', '=', ctx.actor.userId))
    .where(
      scopeWhere(scopeOf(ctx.actor, 'notification.list'), {
        audience: sql`(case when n.user_id is not null then 'user:' || n.user_id::text else 'org:' || n.org_id::text end)`,
      }),
    )

const readAt = sql<Date | null>`coalesce(n.read_at, r.read_at)`

export async function listNotifications(ctx: Ctx, query: NotificationListQuery) {
  const base = visible(ctx.db, ctx)
  const filtered = base.$if(query.unread === true, (qb) => qb.where(sql<boolean>`coalesce(n.read_at, r.read_at) is null`))
  const [items, total, unread] = await Promise.all([
    filtered
      .select(['n.id', 'n.kind', 'n.title', 'n.objectType', 'n.objectId', 'n.dueAt', 'n.createdAt', readAt.as('readAt')])
      .orderBy('n.createdAt', 'desc')
      .orderBy('n.id')
      .limit(query.pageSize)
      .offset(pageOffset(query))
      .execute(),
    filtered.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    base
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where(sql<boolean>`coalesce(n.read_at, r.read_at) is null`)
      .executeTakeFirstOrThrow(),
  ])
  return {
    items: items.map((n) => ({
      ...n,
      dueAt: n.dueAt ? new Date(n.dueAt) : null,
      createdAt: new Date(n.createdAt),
      readAt: n.readAt ? new Date(n.readAt) : null,
    })),
    total: Number(total.n),
    unread: Number(unread.n),
    page: query.page,
    pageSize: query.pageSize,
  }
}

/** Marks one message read for the caller (idempotent: the first reading time stays). */
export async function markNotificationRead(ctx: Ctx, id: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('notifications as n')
      .select([
        'n.id',
        'n.userId',
        'n.orgId',
        sql<string>`(case when n.user_id is not null then 'user:' || n.user_id::text else 'org:' || n.org_id::text end)`.as('audience'),
      ])
      .where('n.id', '=', id)
      .executeTakeFirst()
    const message = authorizeLoaded(ctx.actor, 'notification.mark-read', row, '消息')
    if (message.userId) await trx.updateTable('notifications').set({ readAt: ctx.now() }).where('id', '=', id).where('readAt', 'is', null).execute()
    else
      await trx
        .insertInto('notificationReads')
        .values({ notificationId: id, userId: ctx.actor.userId, readAt: ctx.now() })
        .onConflict((oc) => oc.doNothing())
        .execute()
    return { id, read: true as const }
  })
}

/** Marks every visible unread message read for the caller. */
export async function markAllNotificationsRead(ctx: Ctx) {
  return ctx.db.transaction().execute(async (trx) => {
    const unread = await visible(trx, ctx).select(['n.id', 'n.userId']).where(sql<boolean>`coalesce(n.read_at, r.read_at) is null`).execute()
    const personal = unread.filter((n) => n.userId).map((n) => n.id)
    const shared = unread.filter((n) => !n.userId).map((n) => n.id)
    if (personal.length) await trx.updateTable('notifications').set({ readAt: ctx.now() }).where('id', 'in', personal).execute()
    if (shared.length) {
      await trx
        .insertInto('notificationReads')
        .values(shared.map((notificationId) => ({ notificationId, userId: ctx.actor.userId, readAt: ctx.now() })))
        .onConflict((oc) => oc.doNothing())
        .execute()
    }
    return { marked: unread.length }
  })
}
