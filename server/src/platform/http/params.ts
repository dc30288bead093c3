import { z } from 'zod'
import { isIsoDate } from '../calendar/dates.ts'

/** `/:id` path parameter: a UUID, so a malformed id is a 400 and never reaches SQL. */
export const IdParams = z.object({ id: z.uuid('编号格式不正确') })

/** A calendar date 'YYYY-MM-DD' (the one schema every module uses for dates in requests). */
export const IsoDate = z.string().refine(isIsoDate, '日期格式应为 YYYY-MM-DD，且为 1900–2100 年间的有效日期')
