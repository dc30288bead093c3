import { sql } from 'kysely'
import type { Executor } from '../../platform/db/database.ts'

/**
 * Counts one call in a fixed window and returns the count so far. Counters live in the database, so
 * every server process sharing it enforces the same limit (no per-process memory).
 */
export async function countInWindow(db: Executor, key: string, windowStart: Date): Promise<number> {
  const row = await db
    .insertInto('rateCounters')
    .values({ key, windowStart, count: 1 })
    .onConflict((oc) => oc.columns(['key', 'windowStart']).doUpdateSet({ count: sql`rate_counters.count + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow()
  return row.count
}

export const minuteWindow = (now: Date) => new Date(Math.floor(now.getTime() / 60_000) * 60_000)
/** Midnight Beijing time of the day `now` falls in. */
export const beijingDayWindow = (now: Date) => new Date(Math.floor((now.getTime() + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000)
