import { recordAudit } from '../../platform/audit/record.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { invalidState, notFound } from '../../platform/http/errors.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import type { AppFlagListQuery } from './schemas.ts'

const REASON_LABELS = { lookup_misses: '短时间内大量查询未命中（疑似逐个试探脱敏信息）' } as const

function flagsView(db: Executor) {
  return db
    .selectFrom('gatewayAppFlags as f')
    .innerJoin('apps as a', 'a.id', 'f.appId')
    .innerJoin('orgs as o', 'o.id', 'f.orgId')
    .select([
      'f.id',
      'f.appId',
      'a.name as appName',
      'a.status as appStatus',
      'f.orgId',
      'o.name as orgName',
      'f.reason',
      'f.misses',
      'f.times',
      'f.firstAt',
      'f.lastAt',
      'f.clearedAt',
      'f.clearedBy',
      'f.clearNote',
    ])
}

type FlagRow = Awaited<ReturnType<ReturnType<typeof flagsView>['executeTakeFirstOrThrow']>>

const present = (row: FlagRow) => ({
  ...row,
  reasonLabel: REASON_LABELS[row.reason],
  firstAt: new Date(row.firstAt),
  lastAt: new Date(row.lastAt),
  clearedAt: row.clearedAt ? new Date(row.clearedAt) : null,
})

/** Apps the gateway flagged (lookup-probes.ts), newest first: the security administrator's review list. */
export async function listAppFlags(ctx: Ctx, query: AppFlagListQuery) {
  const base = flagsView(ctx.db)
    .$if(query.status === 'open', (qb) => qb.where('f.clearedAt', 'is', null))
    .$if(query.status === 'cleared', (qb) => qb.where('f.clearedAt', 'is not', null))
  const [rows, total] = await Promise.all([
    base.orderBy('f.lastAt', 'desc').orderBy('f.id').limit(query.pageSize).offset(pageOffset(query)).execute(),
    base
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  return { items: rows.map(present), total: Number(total.n), page: query.page, pageSize: query.pageSize }
}

/**
 * Closes a flag after review, with the administrator's note. The app is not changed here: disabling it
 * is its department's command, suspending the grant the provider's.
 */
export async function clearAppFlag(ctx: Ctx, id: string, note: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const flag = await trx.selectFrom('gatewayAppFlags').select(['id', 'appId', 'clearedAt']).where('id', '=', id).forUpdate().executeTakeFirst()
    if (!flag) throw notFound('异常标记')
    if (flag.clearedAt) throw invalidState('该标记已处理')
    await trx.updateTable('gatewayAppFlags').set({ clearedAt: ctx.now(), clearedBy: ctx.actor.userId, clearNote: note }).where('id', '=', id).execute()
    await recordAudit(trx, ctx, { action: 'gateway.flag.clear', objectType: 'gateway_app_flag', objectId: id, appId: flag.appId, detail: { note } })
    return present(await flagsView(trx).where('f.id', '=', id).executeTakeFirstOrThrow())
  })
}
