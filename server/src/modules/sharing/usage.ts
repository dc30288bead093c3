import type { Executor } from '../../platform/db/database.ts'

/** A use of a grant outside the gateway (a table delivery run, a purge, a file download): a usage record (SPEC §7.6, R-9). */
export async function recordGrantUsage(
  db: Executor,
  usage: { grantId: string; at: Date; userId: string | null; purpose: string; rows: number; businessRef?: string | null },
) {
  await db.insertInto('usageRecords').values(usage).execute()
}
