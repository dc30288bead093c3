import { sql } from 'kysely'
import { beijingWallClock } from '../../platform/calendar/dates.ts'
import type { Db, Executor } from '../../platform/db/database.ts'
import type { Task } from '../../platform/jobs/scheduler.ts'
import { notifyOnce } from '../../platform/notify/index.ts'
import { type NodeRow, nodeStatus } from './nodes.ts'

/**
 * What the exchange tells people (issue 14, SPEC §7.7): a job flagged after three failures in a row, and a node
 * gone offline. Each message goes to the node's operators and the department admin by name (not to the whole
 * department: a requester cannot act on a node), once per event, so a second scheduler pass or process adds nothing.
 */

/** Active users of the node's organisation who run nodes: NODE_OPERATOR and DEPT_ADMIN. */
async function nodeStaff(db: Executor, orgId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('orgId', '=', orgId)
    .where('status', '=', 'active')
    .where(sql<boolean>`roles && array['NODE_OPERATOR', 'DEPT_ADMIN']::text[]`)
    .execute()
  return rows.map((row) => row.id)
}

/** Tells the node's staff that a job failed three times in a row (once per flag: `flaggedAt` names the event). */
export async function noticeJobFlagged(
  trx: Executor,
  node: Pick<NodeRow, 'orgId' | 'name'>,
  job: { id: string; resourceId: string; kind: 'feed' | 'delivery' },
  flaggedAt: Date,
  error: string | null,
): Promise<number> {
  const entry = await trx.selectFrom('resourceVersions').select('name').where('resourceId', '=', job.resourceId).where('isLatest', '=', true).executeTakeFirst()
  const what = job.kind === 'feed' ? '挂接任务' : '交付任务'
  const title = `前置机「${node.name}」上「${entry?.name ?? '目录'}」的${what}连续三次运行失败，已标记为异常，请检查前置机和源表或目标表${error ? `：${error.slice(0, 100)}` : ''}`
  let sent = 0
  for (const userId of await nodeStaff(trx, node.orgId)) {
    const key = `exchange.job.flagged:${job.id}:${flaggedAt.toISOString()}:${userId}`
    if (await notifyOnce(trx, { userId, kind: 'exchange.job.flagged', title, objectType: 'exchange_job', objectId: job.id }, key)) sent++
  }
  return sent
}

/**
 * The offline check: each enrolled node silent for three heartbeats is reported once per silence (the last
 * heartbeat names the silence, so a node that comes back and goes quiet again is reported again).
 */
export async function noticeOfflineNodes(db: Db, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const nodes = await trx
      .selectFrom('exchangeNodes')
      .selectAll()
      .where('enrolledAt', 'is not', null)
      .where('revokedAt', 'is', null)
      .where('heartbeatAt', 'is not', null)
      .execute()
    let sent = 0
    for (const node of nodes) {
      if (nodeStatus(node, now) !== 'offline') continue
      const lastBeat = new Date(node.heartbeatAt!)
      const title = `前置机「${node.name}」已离线（最后心跳 ${beijingTime(lastBeat)}），其上的交换任务暂停运行，请检查前置机`
      for (const userId of await nodeStaff(trx, node.orgId)) {
        const key = `exchange.node.offline:${node.id}:${lastBeat.toISOString()}:${userId}`
        if (await notifyOnce(trx, { userId, kind: 'exchange.node.offline', title, objectType: 'exchange_node', objectId: node.id }, key)) sent++
      }
    }
    return sent
  })
}

const beijingTime = (at: Date) => beijingWallClock(at).toISOString().slice(0, 16).replace('T', ' ')

export const exchangeTasks: readonly Task[] = [
  // Offline means three missed beats (30 s each by default): a minute's check tells people within two.
  { name: 'exchange.offline-nodes', intervalMs: 60_000, run: noticeOfflineNodes },
]
