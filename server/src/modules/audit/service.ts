import { verifyAuditChain } from '../../platform/audit/chain.ts'
import type { Ctx } from '../../platform/context.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import type { AuditQuery } from './schemas.ts'

export async function listAuditEvents(ctx: Ctx, query: AuditQuery) {
  const base = ctx.db
    .selectFrom('auditEvents')
    .$if(!!query.actorId, (qb) => qb.where('actorId', '=', query.actorId!))
    .$if(!!query.action, (qb) => qb.where('action', '=', query.action!))
    .$if(!!query.objectType, (qb) => qb.where('objectType', '=', query.objectType!))
    .$if(!!query.objectId, (qb) => qb.where('objectId', '=', query.objectId!))
    .$if(!!query.result, (qb) => qb.where('result', '=', query.result!))
    .$if(!!query.from, (qb) => qb.where('at', '>=', new Date(query.from!)))
    .$if(!!query.to, (qb) => qb.where('at', '<=', new Date(query.to!)))
  const [items, total] = await Promise.all([
    base.selectAll().orderBy('id', 'desc').limit(query.pageSize).offset(pageOffset(query)).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items, total: total.n, page: query.page, pageSize: query.pageSize }
}

export const verifyChain = (ctx: Ctx) => verifyAuditChain(ctx.db)
