import type { Executor } from '../db/database.ts'

/**
 * 站内消息 (SPEC §6.11): one event a user or a whole department must know about or act on. Written
 * in the transaction of the change it reports, so a rolled-back change tells nobody. The notification
 * centre reads these rows; other channels (短信, 政务微信) would read them too.
 */
export interface Notice {
  /** One user; with `orgId` alone, everyone of that organisation. */
  userId?: string | null
  orgId?: string | null
  kind: string
  title: string
  objectType: string
  objectId: string
  dueAt?: Date | null
}

export async function notify(trx: Executor, notice: Notice): Promise<void> {
  await trx
    .insertInto('notifications')
    .values({
      userId: notice.userId ?? null,
      orgId: notice.orgId ?? null,
      kind: notice.kind,
      title: notice.title,
      objectType: notice.objectType,
      objectId: notice.objectId,
      dueAt: notice.dueAt ?? null,
    })
    .execute()
}

/** The authority's organisations (the city's 大数据局; a county tenant's own when it has one). */
export async function authorityOrgIds(trx: Executor): Promise<string[]> {
  const rows = await trx.selectFrom('orgs').select('id').where('kind', '=', 'authority').execute()
  return rows.map((row) => row.id)
}

/** Tells every authority organisation. */
export async function notifyAuthority(trx: Executor, notice: Omit<Notice, 'orgId' | 'userId'>): Promise<void> {
  for (const orgId of await authorityOrgIds(trx)) await notify(trx, { ...notice, orgId })
}
