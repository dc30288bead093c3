import { sql } from 'kysely'
import { indicatorOf } from '../../../../common/evaluation.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import { authorizeLoaded, scopeOf } from '../../platform/auth/policy.ts'
import { workdayDeadline } from '../../platform/calendar/working-days.ts'
import { numberParameter } from '../../platform/config/parameters.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { invalidState, notFound } from '../../platform/http/errors.ts'
import { type PageQuery, pageOffset } from '../../platform/http/pagination.ts'
import { notify } from '../../platform/notify/index.ts'
import { loadRun } from './runs.ts'

const noticeView = (db: Executor) =>
  db
    .selectFrom('rectificationNotices as n')
    .innerJoin('orgs as o', 'o.id', 'n.orgId')
    .innerJoin('evaluationRuns as r', 'r.id', 'n.runId')
    .leftJoin('users as ru', 'ru.id', 'n.respondedBy')
    .leftJoin('users as cu', 'cu.id', 'n.closedBy')
    .select([
      'n.id',
      'n.runId',
      'r.label as runLabel',
      'n.orgId',
      'o.name as orgName',
      'n.indicator',
      'n.score',
      'n.threshold',
      'n.status',
      'n.dueDate',
      'n.dueAt',
      'n.measures',
      'n.respondedAt',
      'ru.name as respondedByName',
      'n.closingComment',
      'n.closedAt',
      'cu.name as closedByName',
      'n.escalatedAt',
      'n.issuedAt',
    ])

type NoticeRow = Awaited<ReturnType<ReturnType<typeof noticeView>['execute']>>[number]

const present = (n: NoticeRow, now: Date) => ({
  ...n,
  indicatorName: indicatorOf(n.indicator)?.name ?? n.indicator,
  violation: indicatorOf(n.indicator)?.violation ?? '',
  score: Number(n.score),
  threshold: Number(n.threshold),
  dueAt: new Date(n.dueAt),
  respondedAt: n.respondedAt ? new Date(n.respondedAt) : null,
  closedAt: n.closedAt ? new Date(n.closedAt) : null,
  escalatedAt: n.escalatedAt ? new Date(n.escalatedAt) : null,
  issuedAt: new Date(n.issuedAt),
  overdue: n.status !== 'closed' && new Date(n.dueAt) < now,
})

/**
 * R-17: a notice for each department indicator of the run below its threshold, due in the parameter's
 * working days; indicators already noticed in this run are skipped, so issuing twice adds nothing.
 */
export async function issueNotices(ctx: Ctx, runId: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const run = await loadRun(trx, runId)
    if (!run) throw notFound('考核期次')
    await sql`select pg_advisory_xact_lock(hashtext(${`notices:${runId}`}))`.execute(trx)
    const below = await trx
      .selectFrom('evaluationScores as s')
      .leftJoin('rectificationNotices as n', (join) =>
        join.onRef('n.runId', '=', 's.runId').onRef('n.orgId', '=', 's.orgId').onRef('n.indicator', '=', 's.indicator'),
      )
      .select(['s.orgId', 's.indicator', 's.score', 's.threshold'])
      .where('s.runId', '=', runId)
      .where('s.level', '=', 'department')
      .where('s.score', 'is not', null)
      .where(sql<boolean>`s.score < s.threshold`)
      .where('n.id', 'is', null)
      .orderBy('s.orgId')
      .orderBy('s.indicator')
      .execute()
    const now = ctx.now()
    const deadline = await workdayDeadline(trx, now, await numberParameter(trx, 'evaluation.rectificationWorkdays'))
    const ids: string[] = []
    for (const row of below) {
      const { id } = await trx
        .insertInto('rectificationNotices')
        .values({
          runId,
          orgId: row.orgId!,
          indicator: row.indicator,
          score: row.score!,
          threshold: row.threshold,
          status: 'issued',
          dueDate: deadline.dueDate,
          dueAt: deadline.dueAt,
          issuedBy: ctx.actor.userId,
          issuedAt: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      ids.push(id)
      const name = indicatorOf(row.indicator)?.name ?? row.indicator
      await notify(trx, {
        orgId: row.orgId,
        kind: 'evaluation.notice.issued',
        title: `整改通知：${run.label}「${name}」得分 ${Number(row.score)} 低于达标线 ${Number(row.threshold)}，请于 ${deadline.dueDate} 前反馈整改措施`,
        objectType: 'rectification_notice',
        objectId: id,
        dueAt: deadline.dueAt,
      })
      await recordAudit(trx, ctx, {
        action: 'evaluation.notice.issue',
        objectType: 'rectification_notice',
        objectId: id,
        detail: { runId, orgId: row.orgId, indicator: row.indicator },
      })
    }
    const items = ids.length ? await noticeView(trx).where('n.id', 'in', ids).orderBy('o.name').orderBy('n.indicator').execute() : []
    return { items: items.map((n) => present(n, now)) }
  })
}

export async function listNotices(ctx: Ctx, query: PageQuery & { runId?: string; status?: 'issued' | 'responded' | 'closed' }) {
  const base = noticeView(ctx.db)
    .where(scopeWhere(scopeOf(ctx.actor, 'evaluation.notice.list'), { orgId: sql.ref('n.org_id') }))
    .$if(query.runId !== undefined, (qb) => qb.where('n.runId', '=', query.runId!))
    .$if(query.status !== undefined, (qb) => qb.where('n.status', '=', query.status!))
  const [items, count] = await Promise.all([
    base.orderBy('n.dueAt').orderBy('o.name').orderBy('n.indicator').limit(query.pageSize).offset(pageOffset(query)).execute(),
    base
      .clearSelect()
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  return { items: items.map((n) => present(n, ctx.now())), total: Number(count.n), page: query.page, pageSize: query.pageSize }
}

const lockNotice = (trx: Executor, id: string) => trx.selectFrom('rectificationNotices').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()

async function reload(trx: Executor, id: string, now: Date) {
  return present(await noticeView(trx).where('n.id', '=', id).executeTakeFirstOrThrow(), now)
}

/** The department's answer: its measures (issued → responded). The authority is told. */
export async function respondNotice(ctx: Ctx, id: string, measures: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const notice = authorizeLoaded(ctx.actor, 'evaluation.notice.respond', await lockNotice(trx, id), '整改通知')
    if (notice.status !== 'issued') throw invalidState(notice.status === 'closed' ? '该整改通知已办结' : '已反馈，等待主管部门办结')
    await trx
      .updateTable('rectificationNotices')
      .set({ status: 'responded', measures, respondedBy: ctx.actor.userId, respondedAt: ctx.now() })
      .where('id', '=', id)
      .execute()
    const authority = await trx.selectFrom('orgs').select('id').where('kind', '=', 'authority').orderBy('createdAt').executeTakeFirst()
    if (authority) {
      await notify(trx, {
        orgId: authority.id,
        kind: 'evaluation.notice.responded',
        title: `整改反馈待办结：${indicatorOf(notice.indicator)?.name ?? notice.indicator}`,
        objectType: 'rectification_notice',
        objectId: id,
      })
    }
    await recordAudit(trx, ctx, { action: 'evaluation.notice.respond', objectType: 'rectification_notice', objectId: id })
    return reload(trx, id, ctx.now())
  })
}

/** The authority closes a responded notice, or returns it (back to issued, same due date) with its reason. */
export async function closeNotice(ctx: Ctx, id: string, body: { accept: boolean; comment: string }) {
  return ctx.db.transaction().execute(async (trx) => {
    const notice = authorizeLoaded(ctx.actor, 'evaluation.notice.close', await lockNotice(trx, id), '整改通知')
    if (notice.status !== 'responded') throw invalidState(notice.status === 'closed' ? '该整改通知已办结' : '部门尚未反馈整改措施')
    const now = ctx.now()
    if (body.accept)
      await trx
        .updateTable('rectificationNotices')
        .set({ status: 'closed', closingComment: body.comment, closedBy: ctx.actor.userId, closedAt: now })
        .where('id', '=', id)
        .execute()
    else await trx.updateTable('rectificationNotices').set({ status: 'issued', closingComment: body.comment }).where('id', '=', id).execute()
    await notify(trx, {
      orgId: notice.orgId,
      kind: body.accept ? 'evaluation.notice.closed' : 'evaluation.notice.returned',
      title: body.accept ? `整改通知已办结：${indicatorOf(notice.indicator)?.name ?? notice.indicator}` : `整改反馈被退回，请补充整改措施：${body.comment}`,
      objectType: 'rectification_notice',
      objectId: id,
      dueAt: body.accept ? null : new Date(notice.dueAt),
    })
    await recordAudit(trx, ctx, { action: 'evaluation.notice.close', objectType: 'rectification_notice', objectId: id, detail: { accept: body.accept } })
    return reload(trx, id, now)
  })
}
