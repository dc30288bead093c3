import { sql } from 'kysely'
import type { Ctx } from '../../platform/context.ts'
import { scopeOf } from '../../platform/auth/policy.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { pageOffset } from '../../platform/http/pagination.ts'

/** Call records (S13) within the policy's scope: consumers their own calls, providers who called their data; the authority and auditors all. */
export async function listCalls(ctx: Ctx, query: { page: number; pageSize: number; box: 'mine' | 'provided' | 'all'; resourceId?: string; result?: 'success' | 'denied' | 'error' }) {
  const base = ctx.db
    .selectFrom('callLogs')
    .where(scopeWhere(scopeOf(ctx.actor, 'gateway.call.list'), { consumerOrgId: sql.ref('consumerOrgId'), providerOrgId: sql.ref('providerOrgId') }))
    .$if(query.box === 'mine', (qb) => qb.where('consumerOrgId', '=', ctx.actor.orgId))
    .$if(query.box === 'provided', (qb) => qb.where('providerOrgId', '=', ctx.actor.orgId))
    .$if(!!query.resourceId, (qb) => qb.where('resourceId', '=', query.resourceId!))
    .$if(!!query.result, (qb) => qb.where('result', '=', query.result!))
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('id', 'desc').limit(query.pageSize).offset(pageOffset(query)).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  const date = (v: Date | string | null) => (v ? new Date(v) : null)
  return {
    items: rows.map((r) => ({ ...r, requestInAt: new Date(r.requestInAt), responseOutAt: new Date(r.responseOutAt), upstreamOutAt: date(r.upstreamOutAt), upstreamInAt: date(r.upstreamInAt) })),
    total: total.n,
    page: query.page,
    pageSize: query.pageSize,
  }
}
