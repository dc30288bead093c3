import type { Executor } from '../db/database.ts'
import { addDays, beijingDateTime, endOfBeijingDay, isWeekend } from './dates.ts'

/** A day's status: overrides from work_calendar, else the weekday rule. */
export type WorkdayLookup = (date: string) => boolean

export function workdayLookup(overrides: ReadonlyMap<string, boolean>): WorkdayLookup {
  return (date) => overrides.get(date) ?? !isWeekend(date)
}

/** The `days`-th working day after `from` (`from` itself never counts). Pure. */
export function addWorkdaysWith(isWorkday: WorkdayLookup, from: string, days: number): string {
  if (!Number.isInteger(days) || days < 1) throw new RangeError('days must be a positive integer')
  let date = from
  for (let counted = 0; counted < days; ) {
    date = addDays(date, 1)
    if (isWorkday(date)) counted++
  }
  return date
}

/** Working days d with from < d ≤ to; negative when `to` is before `from` (an overdue deadline). */
export function workdaysBetweenWith(isWorkday: WorkdayLookup, from: string, to: string): number {
  const [start, end, sign] = from <= to ? [from, to, 1] : [to, from, -1]
  let count = 0
  for (let date = addDays(start, 1); date <= end; date = addDays(date, 1)) if (isWorkday(date)) count++
  return sign * count
}

/** The first working day strictly after `from`. */
export const nextWorkdayWith = (isWorkday: WorkdayLookup, from: string) => addWorkdaysWith(isWorkday, from, 1)

// SPEC §7.1: events after 17:30 count from the next working day.
const CUTOFF_MINUTE = 17 * 60 + 30

/**
 * Deadline of an `days`-working-day clock started at instant `at` (SPEC §7.1, API.md "Sharing"):
 * counted from the Beijing date of `at`, or from the next working day when `at` is after 17:30 or
 * on a rest day; due at 23:59:59+08:00 of the last working day.
 */
export function deadlineWith(isWorkday: WorkdayLookup, at: Date, days: number): { dueDate: string; dueAt: Date } {
  const { date, minuteOfDay } = beijingDateTime(at)
  const start = !isWorkday(date) || minuteOfDay > CUTOFF_MINUTE ? nextWorkdayWith(isWorkday, date) : date
  const dueDate = addWorkdaysWith(isWorkday, start, days)
  return { dueDate, dueAt: endOfBeijingDay(dueDate) }
}

/** Loads the overrides that can matter for a clock of `days` working days from `from`. */
export async function loadWorkdayLookup(db: Executor, from: string, days: number): Promise<WorkdayLookup> {
  // Generous window: the longest holiday run is ~9 days, so 3× calendar days plus a month covers any clock.
  const until = addDays(from, days * 3 + 40)
  const rows = await db.selectFrom('workCalendar').select(['day', 'isWorkday']).where('day', '>=', from).where('day', '<=', until).execute()
  return workdayLookup(new Map(rows.map((row) => [row.day, row.isWorkday])))
}

/** Working days from `from` (exclusive) to `to` (inclusive) over the platform calendar; negative when past. */
export async function workdaysBetween(db: Executor, from: string, to: string): Promise<number> {
  const start = from <= to ? from : to
  const span = Math.ceil((Date.parse(from <= to ? to : from) - Date.parse(start)) / 86_400_000)
  return workdaysBetweenWith(await loadWorkdayLookup(db, start, Math.ceil(span / 3) + 1), from, to)
}

/** `add-workdays` over the platform calendar. */
export async function addWorkdays(db: Executor, from: string, days: number): Promise<string> {
  return addWorkdaysWith(await loadWorkdayLookup(db, from, days), from, days)
}

/** A working-day deadline over the platform calendar (one function for every clock in the platform). */
export async function workdayDeadline(db: Executor, at: Date, days: number) {
  const from = beijingDateTime(at).date
  return deadlineWith(await loadWorkdayLookup(db, addDays(from, -1), days + 15), at, days)
}
