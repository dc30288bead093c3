import type { Executor } from '../db/database.ts'

/**
 * 站内消息 (SPEC §6.11): what a user, or every user of an organisation, must act on. Written inside the
 * caller's transaction, so a message exists exactly when the change that caused it does.
 */
export interface NotificationInput {
  /** Every user of this organisation sees it (when `userId` is absent). */
  orgId?: string | null
  /** Only this user sees it. */
  userId?: string | null
  /** Stable English kind, e.g. `sharing.request.due_soon`; the console groups and labels by it. */
  kind: string
  /** Chinese, complete in itself: the user reads only this line in the list. */
  title: string
  objectType: string
  objectId: string
  dueAt?: Date | null
}

export async function notify(trx: Executor, input: NotificationInput): Promise<void> {
  await trx
    .insertInto('notifications')
    .values({
      orgId: input.orgId ?? null,
      userId: input.userId ?? null,
      kind: input.kind,
      title: input.title,
      objectType: input.objectType,
      objectId: input.objectId,
      dueAt: input.dueAt ?? null,
    })
    .execute()
}

/**
 * `notify` for clock warnings: `dedupeKey` (e.g. `due_soon:share_request:<id>:<due>`) makes a second
 * run of a job, or a second server process, a no-op. Returns whether a message was inserted.
 */
export async function notifyOnce(trx: Executor, input: NotificationInput, dedupeKey: string): Promise<boolean> {
  const inserted = await trx
    .insertInto('notifications')
    .values({
      orgId: input.orgId ?? null,
      userId: input.userId ?? null,
      kind: input.kind,
      title: input.title,
      objectType: input.objectType,
      objectId: input.objectId,
      dueAt: input.dueAt ?? null,
      dedupeKey,
    })
    .onConflict((oc) => oc.column('dedupeKey').where('dedupeKey', 'is not', null).doNothing())
    .returning('id')
    .executeTakeFirst()
  return inserted !== undefined
}

export { type NotificationChannel, CHANNELS } from './channels.ts'

/** The authority's organisations (the city's 大数据局; a county tenant's own when it has one). */
export async function authorityOrgIds(trx: Executor): Promise<string[]> {
  const rows = await trx.selectFrom('orgs').select('id').where('kind', '=', 'authority').execute()
  return rows.map((row) => row.id)
}

/** Tells every authority organisation. */
export async function notifyAuthority(trx: Executor, notice: Omit<NotificationInput, 'orgId' | 'userId'>): Promise<void> {
  for (const orgId of await authorityOrgIds(trx)) await notify(trx, { ...notice, orgId })
}
