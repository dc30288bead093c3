import { indicatorOf } from '../../../../common/evaluation.ts'
import { numberParameter } from '../../platform/config/parameters.ts'
import type { Db } from '../../platform/db/database.ts'
import type { Task } from '../../platform/jobs/scheduler.ts'
import { authorityOrgId, sendClockWarnings, warningHorizon } from '../../platform/notify/clocks.ts'

/**
 * R-17 notices are clocks too (SPEC §7.1, §7.11): warnings at due − N and due − 0 working days to the
 * department; once overdue the notice is marked escalated and the authority told. Tracked until closed.
 */
export async function warnRectificationNotices(db: Db, now: Date): Promise<number> {
  const window = await warningHorizon(db, now, await numberParameter(db, 'sharing.warnBeforeWorkdays'))
  return db.transaction().execute(async (trx) => {
    const open = await trx
      .selectFrom('rectificationNotices as n')
      .innerJoin('evaluationRuns as r', 'r.id', 'n.runId')
      .select(['n.id', 'n.orgId', 'n.indicator', 'n.dueAt', 'n.dueDate', 'n.escalatedAt', 'r.label'])
      .where('n.status', '=', 'issued')
      .where('n.dueDate', '<=', window.horizon)
      .forUpdate('n')
      .skipLocked()
      .execute()
    const sent = await sendClockWarnings(
      trx,
      open.map((n) => ({
        kind: 'evaluation.notice',
        objectType: 'rectification_notice',
        objectId: n.id,
        orgId: n.orgId,
        dueAt: new Date(n.dueAt),
        dueDate: n.dueDate,
        subject: `整改通知（${n.label}「${indicatorOf(n.indicator)?.name ?? n.indicator}」）`,
      })),
      now,
      window,
      await authorityOrgId(trx),
    )
    const overdue = open.filter((n) => !n.escalatedAt && new Date(n.dueAt) < now).map((n) => n.id)
    if (overdue.length) await trx.updateTable('rectificationNotices').set({ escalatedAt: now }).where('id', 'in', overdue).execute()
    return sent
  })
}

export const evaluationTasks: readonly Task[] = [{ name: 'evaluation.warn-notices', intervalMs: 10 * 60_000, run: warnRectificationNotices }]
