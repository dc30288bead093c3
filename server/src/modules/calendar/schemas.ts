import { z } from 'zod'
import { IsoDate } from '../../platform/http/params.ts'

// Defined once in platform; re-exported for callers that still import it from here.
export { IsoDate }

export const AddWorkdaysQuery = z.object({
  from: IsoDate.describe('起算日期（当日不计）'),
  days: z.coerce.number().int().min(1).max(1000).describe('工作日数 N ≥ 1'),
})
export const AddWorkdaysOut = z.object({ due: z.string() })

export const YearQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100) })
export const CalendarDay = z.object({ date: z.string(), isWorkday: z.boolean(), note: z.string() })
export const YearOut = z.object({ year: z.number(), days: z.array(CalendarDay) })

export const DayParams = z.object({ date: IsoDate })
export const UpdateDayBody = z.object({
  isWorkday: z.boolean().describe('是否工作日'),
  note: z.string().trim().max(50).default('').describe('说明，如「春节」「春节调休上班」'),
})
