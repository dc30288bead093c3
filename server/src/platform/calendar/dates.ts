/** Calendar-date helpers over 'YYYY-MM-DD' strings, in UTC so no local timezone can shift a day. */

const DAY_MS = 86_400_000
export const BEIJING_OFFSET_MS = 8 * 3_600_000

// Years the platform handles: data time ranges reach back to 1900; clocks and validity end by 2100.
export const MIN_YEAR = 1900
export const MAX_YEAR = 2100

/** A real calendar date 'YYYY-MM-DD' between MIN_YEAR and MAX_YEAR. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const year = Number(value.slice(0, 4))
  const date = parseIsoDate(value)
  return year >= MIN_YEAR && year <= MAX_YEAR && !Number.isNaN(date.getTime()) && toIsoDate(date) === value
}
export const parseIsoDate = (value: string) => new Date(`${value}T00:00:00Z`)
export const toIsoDate = (date: Date) => date.toISOString().slice(0, 10)
export const addDays = (value: string, days: number) => toIsoDate(new Date(parseIsoDate(value).getTime() + days * DAY_MS))
/** 0 = Sunday … 6 = Saturday. */
export const weekdayOf = (value: string) => parseIsoDate(value).getUTCDay()
export const isWeekend = (value: string) => weekdayOf(value) === 0 || weekdayOf(value) === 6

/** The Beijing (UTC+8) calendar date and minute of day of an instant. */
export function beijingDateTime(at: Date): { date: string; minuteOfDay: number } {
  const shifted = new Date(at.getTime() + BEIJING_OFFSET_MS)
  return { date: toIsoDate(shifted), minuteOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes() }
}

/** The instant shifted by +8 h: its UTC fields read Beijing wall-clock time (for stamps and dates in Beijing time). */
export const beijingWallClock = (at: Date) => new Date(at.getTime() + BEIJING_OFFSET_MS)

/** The Beijing calendar date of an instant. */
export const beijingDateOf = (at: Date) => toIsoDate(beijingWallClock(at))

/** `YYYY-MM-DD HH:MM:SS` in Beijing time. */
export const beijingTimestampText = (at: Date) => beijingWallClock(at).toISOString().replace('T', ' ').slice(0, 19)

/** The instant of a Beijing wall-clock time (`HH:MM` or `HH:MM:SS`) on a calendar date. */
export const beijingInstant = (date: string, time = '00:00:00') => new Date(`${date}T${time.length === 5 ? `${time}:00` : time}+08:00`)

/** The end (23:59:59 Beijing time) of a calendar date, as an instant. */
export const endOfBeijingDay = (value: string) => new Date(`${value}T23:59:59+08:00`)

/** Midnight Beijing time of the day an instant falls in (arithmetic, not text: the gateway asks on every call). */
export const beijingDayStart = (at: Date) => new Date(Math.floor((at.getTime() + BEIJING_OFFSET_MS) / DAY_MS) * DAY_MS - BEIJING_OFFSET_MS)

/** A Beijing-time month start moved by whole months (0 gives the start of the month an instant falls in). */
export function addBeijingMonths(at: Date, months: number): Date {
  const local = beijingWallClock(at)
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + months, 1) - BEIJING_OFFSET_MS)
}

/** Start (00:00 Beijing time on the 1st) of the Beijing-time month an instant falls in. */
export const beijingMonthStart = (at: Date) => addBeijingMonths(at, 0)
