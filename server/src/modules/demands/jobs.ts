import { appendAudit } from '../../platform/audit/chain.ts'
import type { Db, Executor } from '../../platform/db/database.ts'
import type { Task } from '../../platform/jobs/scheduler.ts'
import { notify, notifyAuthority } from '../../platform/notify/index.ts'
import { type ClockedRow, escalateOverdue, systemSource, warnDueSoon } from '../../platform/workflow/clock.ts'
import { dueSoonComment, overdueComment } from '../../platform/workflow/stages.ts'

const STAGE_LABEL: Record<string, string> = { triage: '分办', provider: '响应' }

/** Who holds the stage: the authority triages, the assigned provider answers and fulfils. */
async function tellHolder(trx: Executor, row: ClockedRow, kind: string, title: string) {
  if (row.stage === 'triage') return notifyAuthority(trx, { kind, title, objectType: 'demand', objectId: row.id, dueAt: row.dueAt })
  const demand = await trx.selectFrom('demands').select('providerOrgId').where('id', '=', row.id).executeTakeFirstOrThrow()
  await notify(trx, { orgId: demand.providerOrgId, kind, title, objectType: 'demand', objectId: row.id, dueAt: row.dueAt })
}

/** SPEC §7.9 ASSIGNED --timeout--> OVERDUE: escalated to the authority, the stage stays open under supervision. */
export async function escalateOverdueDemands(db: Db, now: Date): Promise<number> {
  return escalateOverdue(db, now, 'demands', async (trx, row) => {
    const comment = overdueComment(STAGE_LABEL[row.stage], row.dueDate)
    await trx
      .insertInto('demandEvents')
      .values({ demandId: row.id, at: now, actorId: null, action: 'escalate', fromStatus: row.status, toStatus: row.status, comment })
      .execute()
    await appendAudit(trx, systemSource(now), {
      action: 'demands.demand.escalate',
      objectType: 'demand',
      objectId: row.id,
      detail: { no: row.no, stage: row.stage },
    })
    const title = `数据需求${STAGE_LABEL[row.stage]}逾期：${row.no}`
    if (row.stage === 'provider') {
      await notifyAuthority(trx, { kind: 'demand.overdue', title, objectType: 'demand', objectId: row.id, dueAt: row.dueAt })
    }
    await tellHolder(trx, row, 'demand.overdue', title)
  })
}

export async function warnDemandsDueSoon(db: Db, now: Date): Promise<number> {
  return warnDueSoon(db, now, 'demands', async (trx, row) => {
    await tellHolder(trx, row, 'demand.due-soon', `数据需求${STAGE_LABEL[row.stage]}即将到期（${row.dueDate}）：${row.no}`)
    await trx
      .insertInto('demandEvents')
      .values({ demandId: row.id, at: now, actorId: null, action: 'warn', fromStatus: row.status, toStatus: row.status, comment: dueSoonComment(row.dueDate) })
      .execute()
  })
}

export const demandTasks: readonly Task[] = [
  { name: 'demands.escalate-overdue', intervalMs: 60_000, run: escalateOverdueDemands },
  { name: 'demands.warn-due-soon', intervalMs: 10 * 60_000, run: warnDemandsDueSoon },
]
