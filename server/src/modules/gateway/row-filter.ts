import { type RawBuilder, sql } from 'kysely'
import type { RowCondition } from '../../platform/db/schema.ts'
import { escapeLike } from '../../platform/db/like.ts'

/**
 * A grant's row filter as SQL over a mounted table (values always bound as parameters, columns
 * always quoted identifiers from the mount's own column list; never raw SQL from a user).
 */
export function rowConditionSql(column: string, condition: RowCondition): RawBuilder<boolean> {
  const ref = sql.ref(column)
  if ('eq' in condition) return sql<boolean>`${ref} = ${condition.eq}`
  if ('in' in condition) return sql<boolean>`${ref} in (${sql.join(condition.in)})`
  if ('prefix' in condition) return sql<boolean>`${ref}::text like ${`${escapeLike(condition.prefix)}%`}`
  const parts: RawBuilder<boolean>[] = []
  if (condition.gte !== undefined) parts.push(sql<boolean>`${ref} >= ${condition.gte}`)
  if (condition.lte !== undefined) parts.push(sql<boolean>`${ref} <= ${condition.lte}`)
  return sql<boolean>`(${sql.join(parts, sql` and `)})`
}

/** The same filter evaluated in memory (rows from an upstream API, which SQL cannot filter). */
export function rowMatches(value: unknown, condition: RowCondition): boolean {
  if (value === null || value === undefined) return false
  if ('eq' in condition) return String(value) === String(condition.eq)
  if ('in' in condition) return condition.in.map(String).includes(String(value))
  if ('prefix' in condition) return String(value).startsWith(condition.prefix)
  const compare = (a: unknown, b: string | number) => (typeof b === 'number' ? Number(a) - b : String(a) < b ? -1 : String(a) > b ? 1 : 0)
  return (condition.gte === undefined || compare(value, condition.gte) >= 0) && (condition.lte === undefined || compare(value, condition.lte) <= 0)
}
