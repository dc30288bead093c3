import { beijingDateTime } from '../../platform/calendar/dates.ts'
import { numberParameter } from '../../platform/config/parameters.ts'
import type { Db } from '../../platform/db/database.ts'
import type { Task } from '../../platform/jobs/scheduler.ts'
import { authorityOrgId, sendClockWarnings, warningHorizon } from '../../platform/notify/clocks.ts'

/**
 * The catalog's clocks (SPEC §7.1): the authority's review of a submitted entry (5 WD) and a
 * department's catalog update task (15 WD, R-14). Warnings at due − N and due − 0 working days; once
 * overdue both escalate to the authority as a 督办 message (each sent once per stage).
 */
export async function warnCatalogClocks(db: Db, now: Date): Promise<number> {
  const window = await warningHorizon(db, now, await numberParameter(db, 'sharing.warnBeforeWorkdays'))
  return db.transaction().execute(async (trx) => {
    const authority = await authorityOrgId(trx)
    const reviews = await trx
      .selectFrom('resourceVersions as v')
      .innerJoin('orgs as o', 'o.id', 'v.providerOrgId')
      .select(['v.id', 'v.resourceId', 'v.name', 'v.reviewDueAt', 'o.name as orgName'])
      .where('v.status', '=', 'pending_review')
      .where('v.reviewDueAt', 'is not', null)
      .execute()
    const tasks = await trx
      .selectFrom('catalogReviewTasks as t')
      .innerJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 't.resourceId').on('v.isLatest', '=', true))
      .select(['t.id', 't.orgId', 't.dueAt', 't.dueDate', 'v.name'])
      .where('t.status', '=', 'open')
      .where('t.dueDate', '<=', window.horizon)
      .execute()
    const reviewClocks = authority
      ? reviews.map((r) => {
          const dueAt = new Date(r.reviewDueAt!)
          return {
            kind: 'catalog.review',
            objectType: 'resource',
            objectId: r.resourceId,
            orgId: authority,
            dueAt,
            dueDate: beijingDateTime(dueAt).date,
            subject: `目录审核（${r.orgName}「${r.name}」）`,
          }
        })
      : []
    const taskClocks = tasks.map((t) => ({
      kind: 'catalog.update-task',
      objectType: 'catalog_review_task',
      objectId: t.id,
      orgId: t.orgId,
      dueAt: new Date(t.dueAt),
      dueDate: t.dueDate,
      subject: `目录更新任务（「${t.name}」）`,
    }))
    // The authority's own review clock escalates to the authority itself: the 督办 copy is skipped (same org).
    return sendClockWarnings(trx, [...reviewClocks, ...taskClocks], now, window, authority)
  })
}

export const catalogClockTasks: readonly Task[] = [{ name: 'catalog.warn-clocks', intervalMs: 10 * 60_000, run: warnCatalogClocks }]
