import { type Expression, type SqlBool, sql } from 'kysely'
import type { Scope } from '../../../../common/policy/index.ts'

/**
 * A policy scope as a SQL condition: `columns` maps each field a scope may name to its column or
 * expression in the query at hand. A field without a column is a programming error, never "visible".
 *
 * @example .where(scopeWhere(scopeOf(ctx.actor, 'sharing.grant.read'), { consumerOrgId: sql.ref('g.consumer_org_id'), providerOrgId: sql.ref('g.provider_org_id') }))
 */
export function scopeWhere(scope: Scope, columns: Readonly<Record<string, Expression<unknown>>>): Expression<SqlBool> {
  if ('all' in scope) return sql<SqlBool>`true`
  if (scope.anyOf.length === 0) return sql<SqlBool>`false`
  const terms = scope.anyOf.map((term) => {
    const column = columns[term.field]
    if (!column) throw new Error(`scope field ${term.field} has no column here`)
    return sql<SqlBool>`${column} = ${term.equals}`
  })
  return sql<SqlBool>`(${sql.join(terms, sql` or `)})`
}
