import type { Executor } from '../db/database.ts'

/** A numeric platform parameter (SPEC §7.1: every clock is a parameter), or its default. */
export async function numberParameter(db: Executor, key: string, fallback: number): Promise<number> {
  const row = await db.selectFrom('parameters').select('value').where('key', '=', key).executeTakeFirst()
  const value = Number(row?.value)
  return Number.isFinite(value) && row ? value : fallback
}
