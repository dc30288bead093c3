import { appendAudit } from '../../platform/audit/chain.ts'
import type { Db } from '../../platform/db/database.ts'
import type { Task } from '../../platform/jobs/scheduler.ts'
import { notify, notifyAuthority } from '../../platform/notify/index.ts'
import { escalateOverdue, systemSource, warnDueSoon } from '../../platform/workflow/clock.ts'
import { dueSoonComment, overdueComment } from '../../platform/workflow/stages.ts'
import { resolveCorrectedObjections } from './service.ts'

const STAGE_LABEL: Record<string, string> = { accept: '受理', verify: '核实' }

/**
 * SPEC §7.8, like requests (§7.5): an overdue stage escalates to the authority (督办) and is counted in
 * M6; the provider's verification stays open for it to answer, now under supervision.
 */
export async function escalateOverdueObjections(db: Db, now: Date): Promise<number> {
  return escalateOverdue(db, now, 'objections', async (trx, row) => {
    const comment = overdueComment(STAGE_LABEL[row.stage], row.dueDate)
    await trx
      .insertInto('objectionEvents')
      .values({ objectionId: row.id, at: now, actorId: null, action: 'escalate', fromStatus: row.status, toStatus: row.status, comment })
      .execute()
    await appendAudit(trx, systemSource(now), {
      action: 'objections.objection.escalate',
      objectType: 'objection',
      objectId: row.id,
      detail: { no: row.no, stage: row.stage },
    })
    await notifyAuthority(trx, {
      kind: 'objection.overdue',
      title: `数据异议${STAGE_LABEL[row.stage]}逾期：${row.no}`,
      objectType: 'objection',
      objectId: row.id,
      dueAt: row.dueAt,
    })
    if (row.stage === 'verify') {
      const provider = await trx.selectFrom('objections').select('providerOrgId').where('id', '=', row.id).executeTakeFirstOrThrow()
      await notify(trx, {
        orgId: provider.providerOrgId,
        kind: 'objection.overdue',
        title: `数据异议核实已逾期，主管部门督办：${row.no}`,
        objectType: 'objection',
        objectId: row.id,
        dueAt: row.dueAt,
      })
    }
  })
}

/** SPEC §7.1: the party whose stage it is hears of the due date ahead of time. */
export async function warnObjectionsDueSoon(db: Db, now: Date): Promise<number> {
  return warnDueSoon(db, now, 'objections', async (trx, row) => {
    const title = `数据异议${STAGE_LABEL[row.stage]}即将到期（${row.dueDate}）：${row.no}`
    if (row.stage === 'accept') await notifyAuthority(trx, { kind: 'objection.due-soon', title, objectType: 'objection', objectId: row.id, dueAt: row.dueAt })
    else {
      const provider = await trx.selectFrom('objections').select('providerOrgId').where('id', '=', row.id).executeTakeFirstOrThrow()
      await notify(trx, { orgId: provider.providerOrgId, kind: 'objection.due-soon', title, objectType: 'objection', objectId: row.id, dueAt: row.dueAt })
    }
    await trx
      .insertInto('objectionEvents')
      .values({
        objectionId: row.id,
        at: now,
        actorId: null,
        action: 'warn',
        fromStatus: row.status,
        toStatus: row.status,
        comment: dueSoonComment(row.dueDate),
      })
      .execute()
  })
}

export const objectionTasks: readonly Task[] = [
  { name: 'objections.escalate-overdue', intervalMs: 60_000, run: escalateOverdueObjections },
  { name: 'objections.warn-due-soon', intervalMs: 10 * 60_000, run: warnObjectionsDueSoon },
  { name: 'objections.resolve-corrected', intervalMs: 60_000, run: resolveCorrectedObjections },
]
