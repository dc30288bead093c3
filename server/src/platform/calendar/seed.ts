import chineseDays from 'chinese-days'
import type { Executor } from '../db/database.ts'
import { addDays, isWeekend } from './dates.ts'

/** First and last year the bundled State Council schedules cover (chinese-days 1.5). */
export const SEED_YEARS = { from: 2020, to: 2026 } as const

/**
 * The State Council schedule as overrides of the weekday rule: weekday holidays and the 调休
 * make-up working days on weekends, with their festival's Chinese name.
 */
export function seedOverrides(fromYear = SEED_YEARS.from, toYear = SEED_YEARS.to) {
  const rows: { day: string; isWorkday: boolean; note: string }[] = []
  for (let day = `${fromYear}-01-01`; day <= `${toYear}-12-31`; day = addDays(day, 1)) {
    const detail = chineseDays.getDayDetail(day)
    // Festival days carry a name like 'National Day,国庆节,3'; plain days only their weekday.
    const isFestival = detail.name.includes(',')
    if (!isFestival && detail.work === !isWeekend(day)) continue
    const festival = detail.name.split(',')[1] ?? detail.name
    rows.push({ day, isWorkday: detail.work, note: detail.work ? `${festival}调休上班` : festival })
  }
  return rows
}

/** Inserts the seed overrides; admin edits (source 'admin') are never overwritten. */
export async function seedWorkCalendar(db: Executor): Promise<number> {
  const rows = seedOverrides()
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('workCalendar')
      .values(rows.slice(i, i + 500).map((row) => ({ ...row, source: 'seed' as const })))
      .onConflict((oc) => oc.column('day').doNothing())
      .execute()
  }
  return rows.length
}
