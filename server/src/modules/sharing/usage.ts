import type { Executor } from '../../platform/db/database.ts'

/** A use of a grant outside the gateway (a table delivery run, a purge): a usage record (SPEC §7.6, R-9). */
export async function recordGrantUsage(db: Executor, usage: { grantId: string; at: Date; userId: string | null; purpose: string; rows: number }) {
  await db.insertInto('usageRecords').values(usage).execute()
}
