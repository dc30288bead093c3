import { appendAudit } from '../../platform/audit/chain.ts'
import { beijingDateTime } from '../../platform/calendar/dates.ts'
import { addWorkdays } from '../../platform/calendar/working-days.ts'
import { PARAMETERS, numberParameter } from '../../platform/config/parameters.ts'
import type { Db, Executor } from '../../platform/db/database.ts'
import type { Task } from '../../platform/jobs/scheduler.ts'
import { authorityOrgId, sendClockWarnings, warningHorizon } from '../../platform/notify/clocks.ts'
import { lapseReconfirmations } from './grant-follow.ts'
import { expireGrants } from './grants.ts'

const BATCH = 100
const systemSource = (at: Date) => ({ actorId: null, orgId: null, roles: ['SYSTEM'], ip: null, requestId: null, at })

/**
 * SPEC §7.5: a conditional request not decided by its due time escalates to the authority.
 * Rows are claimed with FOR UPDATE SKIP LOCKED and re-checked, so several server processes sharing
 * one PostgreSQL escalate each request exactly once.
 */
export async function escalateOverdueRequests(db: Db, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const overdue = await trx
      .selectFrom('shareRequests')
      .select(['id', 'no', 'providerOrgId'])
      .where('status', '=', 'pending')
      .where('dueAt', '<', now)
      .orderBy('dueAt')
      .limit(BATCH)
      .forUpdate()
      .skipLocked()
      .execute()
    for (const request of overdue) {
      await trx.updateTable('shareRequests').set({ status: 'escalated', escalatedAt: now }).where('id', '=', request.id).execute()
      await trx
        .insertInto('shareRequestEvents')
        .values({
          requestId: request.id,
          at: now,
          actorId: null,
          action: 'escalate',
          fromStatus: 'pending',
          toStatus: 'escalated',
          comment: '提供方逾期未答复，已自动提交主管部门督办',
        })
        .execute()
      await appendAudit(trx, systemSource(now), {
        action: 'sharing.request.escalate',
        objectType: 'share_request',
        objectId: request.id,
        detail: { no: request.no },
      })
    }
    return overdue.length
  })
}

/** SPEC §7.1: warn at due − 2 working days (recorded on the request's timeline and shown on the workbench). */
export async function warnDueSoon(db: Db, now: Date): Promise<number> {
  const today = beijingDateTime(now).date
  const warnDays = await numberParameter(db, 'sharing.warnBeforeWorkdays')
  const horizon = await addWorkdays(db, today, warnDays)
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('shareRequests')
      .select(['id', 'dueDate'])
      .where('status', '=', 'pending')
      .where('warnedAt', 'is', null)
      .where('dueDate', '<=', horizon)
      .limit(BATCH)
      .forUpdate()
      .skipLocked()
      .execute()
    for (const request of due) {
      await trx.updateTable('shareRequests').set({ warnedAt: now }).where('id', '=', request.id).execute()
      await trx
        .insertInto('shareRequestEvents')
        .values({
          requestId: request.id,
          at: now,
          actorId: null,
          action: 'warn',
          fromStatus: 'pending',
          toStatus: 'pending',
          comment: `答复期限 ${request.dueDate} 即将到期`,
        })
        .execute()
    }
    return due.length
  })
}

/**
 * 站内消息 for the request clocks (SPEC §7.1): the provider is warned at due − N and due − 0 working days
 * of its reply, the authority of its compliance review; an overdue reply (escalated by the job above, or
 * awaiting it) is reported to the authority too. N is the provider's tenant's own warning parameter.
 */
export async function notifyRequestClocks(db: Db, now: Date): Promise<number> {
  const windows = new Map<string, Awaited<ReturnType<typeof warningHorizon>>>()
  const windowOf = async (trx: Executor, tenant: string) => {
    if (!windows.has(tenant)) windows.set(tenant, await warningHorizon(trx, now, await numberParameter(trx, 'sharing.warnBeforeWorkdays', tenant)))
    return windows.get(tenant)!
  }
  // The widest horizon any tenant may choose bounds the scan; each clock is then judged by its own tenant's.
  const widest = await warningHorizon(db, now, Math.max(...PARAMETERS['sharing.warnBeforeWorkdays'].allowed))
  return db.transaction().execute(async (trx) => {
    const open = await trx
      .selectFrom('shareRequests as s')
      .innerJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 's.resourceId').onRef('v.version', '=', 's.resourceVersion'))
      .innerJoin('orgs as p', 'p.id', 's.providerOrgId')
      .select(['s.id', 's.no', 's.status', 's.providerOrgId', 's.dueAt', 's.dueDate', 'v.name', 'p.regionCode'])
      .where('s.status', 'in', ['compliance_review', 'pending', 'escalated'])
      .where('s.dueDate', 'is not', null)
      .where('s.dueDate', '<=', widest.horizon)
      .execute()
    const authority = await authorityOrgId(trx)
    let sent = 0
    for (const r of open) {
      const review = r.status === 'compliance_review'
      // The authority itself runs the compliance review: its warnings go to the authority, with no one above to escalate to.
      const orgId = review ? authority : r.providerOrgId
      if (!orgId) continue
      const clock = {
        kind: review ? 'sharing.review' : 'sharing.request',
        objectType: 'share_request',
        objectId: r.id,
        orgId,
        dueAt: new Date(r.dueAt!),
        dueDate: r.dueDate!,
        subject: `共享申请 ${r.no}（「${r.name}」）的${review ? '合规审查' : '答复'}`,
      }
      sent += await sendClockWarnings(trx, [clock], now, await windowOf(trx, r.regionCode), review ? null : authority)
    }
    return sent
  })
}

export const sharingTasks: readonly Task[] = [
  { name: 'sharing.notify-clocks', intervalMs: 10 * 60_000, run: notifyRequestClocks },
  { name: 'sharing.escalate-overdue', intervalMs: 60_000, run: escalateOverdueRequests },
  { name: 'sharing.warn-due-soon', intervalMs: 10 * 60_000, run: warnDueSoon },
  { name: 'sharing.expire-grants', intervalMs: 10 * 60_000, run: expireGrants },
  { name: 'sharing.lapse-reconfirmations', intervalMs: 10 * 60_000, run: lapseReconfirmations },
]
