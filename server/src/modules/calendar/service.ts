import { recordAudit } from '../../platform/audit/record.ts'
import { addDays, isWeekend } from '../../platform/calendar/dates.ts'
import { addWorkdays } from '../../platform/calendar/working-days.ts'
import type { Ctx } from '../../platform/context.ts'

export const computeDue = async (ctx: Ctx, from: string, days: number) => ({ due: await addWorkdays(ctx.db, from, days) })

/** Every day of a year with its status: admin/seed overrides, else the weekday rule. */
export async function getYear(ctx: Ctx, year: number) {
  const rows = await ctx.db
    .selectFrom('workCalendar')
    .select(['day', 'isWorkday', 'note'])
    .where('day', '>=', `${year}-01-01`)
    .where('day', '<=', `${year}-12-31`)
    .execute()
  const overrides = new Map(rows.map((r) => [r.day, r]))
  const days = []
  for (let date = `${year}-01-01`; date <= `${year}-12-31`; date = addDays(date, 1)) {
    const override = overrides.get(date)
    days.push({ date, isWorkday: override?.isWorkday ?? !isWeekend(date), note: override?.note ?? '' })
  }
  return { year, days }
}

export async function updateDay(ctx: Ctx, date: string, input: { isWorkday: boolean; note: string }) {
  return ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('workCalendar')
      .values({ day: date, isWorkday: input.isWorkday, note: input.note, source: 'admin' })
      .onConflict((oc) => oc.column('day').doUpdateSet({ isWorkday: input.isWorkday, note: input.note, source: 'admin', updatedAt: ctx.now() }))
      .execute()
    await recordAudit(trx, ctx, { action: 'calendar.day.update', objectType: 'calendar_day', objectId: date, detail: input })
    return { date, isWorkday: input.isWorkday, note: input.note }
  })
}
