import { type Day, getYear } from '../api/calendar.ts'
import { beijingDateOf, dayjs, todayInBeijing } from './dates.ts'

/** Working-day status of each date, from the platform calendar (the same table the server counts with). */
const years = new Map<number, Promise<Map<string, Day>>>()

function loadYear(year: number) {
  let loading = years.get(year)
  if (!loading) {
    loading = getYear(year).then((y) => new Map(y.days.map((d) => [d.date, d])))
    loading.catch(() => years.delete(year))
    years.set(year, loading)
  }
  return loading
}

export const forgetCalendarYear = (year: number) => years.delete(year)

export interface Countdown {
  /** The due date (Beijing), `YYYY-MM-DD`. */
  dueDate: string
  /** Working days left after today, up to and including the due date (0 = due today). */
  remaining: number
  overdue: boolean
  /** Working days since the due date (when overdue). */
  overdueBy: number
}

/**
 * Working days between today and a due date, counted on the platform calendar: SPEC §7.1 counts
 * whole working days and a deadline ends at 23:59:59 of its last one.
 */
export async function workdayCountdown(due: string): Promise<Countdown> {
  const dueDate = /^\d{4}-\d{2}-\d{2}$/.test(due) ? due : beijingDateOf(due)
  const today = todayInBeijing()
  const [from, to] = dueDate >= today ? [today, dueDate] : [dueDate, today]
  const calendars = new Map<string, Day>()
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) {
    for (const [date, day] of await loadYear(y)) calendars.set(date, day)
  }
  // Working days in (from, to]; dates missing from the calendar fall back to the weekday rule.
  let count = 0
  for (let d = dayjs(from).add(1, 'day'); !d.isAfter(dayjs(to), 'day'); d = d.add(1, 'day')) {
    const date = d.format('YYYY-MM-DD')
    const known = calendars.get(date)
    if (known ? known.isWorkday : d.day() !== 0 && d.day() !== 6) count++
  }
  const overdue = dueDate < today
  return { dueDate, remaining: overdue ? 0 : count, overdue, overdueBy: overdue ? count : 0 }
}

export function countdownText(c: Countdown) {
  if (c.overdue) return c.overdueBy > 0 ? `已逾期 ${c.overdueBy} 个工作日` : '已逾期'
  return c.remaining === 0 ? '今日到期' : `剩余 ${c.remaining} 个工作日`
}
