import { beijingDateTime } from '../calendar/dates.ts'
import { addWorkdays } from '../calendar/working-days.ts'
import type { Executor } from '../db/database.ts'
import { notifyOnce } from './index.ts'

/** One running clock (SPEC §7.1) a party must act on. */
export interface Clock {
  /** `<domain>.<thing>`: the message kinds are this plus `.due_soon`, `.due_today`, `.overdue`. */
  kind: string
  objectType: string
  objectId: string
  /** Who must act (every user of the organisation sees the warning). */
  orgId: string
  dueAt: Date
  dueDate: string
  /** Chinese subject of the sentence, e.g. 「共享申请 SQ202603020001」. */
  subject: string
}

export type ClockStage = 'due_soon' | 'due_today' | 'overdue'

/** The warning stage of a clock today: due − N WD (not yet the day), the due day itself, or past its due time. */
export function clockStage(clock: Pick<Clock, 'dueAt' | 'dueDate'>, now: Date, today: string, horizon: string): ClockStage | null {
  if (now > clock.dueAt) return 'overdue'
  if (clock.dueDate === today) return 'due_today'
  if (clock.dueDate <= horizon) return 'due_soon'
  return null
}

/** What the warning horizon is today: `warnDays` working days after today (Beijing). */
export async function warningHorizon(db: Executor, now: Date, warnDays: number) {
  const today = beijingDateTime(now).date
  return { today, horizon: await addWorkdays(db, today, warnDays) }
}

/**
 * Sends each clock's warning for its current stage once (due − N WD, due − 0 WD, overdue); an overdue
 * clock is also reported to `escalateTo` (the authority). Returns how many messages were new.
 */
export async function sendClockWarnings(
  trx: Executor,
  clocks: readonly Clock[],
  now: Date,
  window: { today: string; horizon: string },
  escalateTo: string | null,
): Promise<number> {
  let sent = 0
  for (const clock of clocks) {
    const stage = clockStage(clock, now, window.today, window.horizon)
    if (!stage) continue
    const key = `${clock.kind}:${stage}:${clock.objectId}:${clock.dueDate}`
    const base = { kind: `${clock.kind}.${stage}`, objectType: clock.objectType, objectId: clock.objectId, dueAt: clock.dueAt }
    const title =
      stage === 'due_soon'
        ? `${clock.subject}将于 ${clock.dueDate} 到期，请及时办理`
        : stage === 'due_today'
          ? `${clock.subject}今日（${clock.dueDate}）到期，请今日内办理`
          : `${clock.subject}已逾期（应于 ${clock.dueDate} 前办理），已提交主管部门督办`
    if (await notifyOnce(trx, { ...base, orgId: clock.orgId, title }, key)) sent++
    if (stage === 'overdue' && escalateTo && escalateTo !== clock.orgId) {
      if (await notifyOnce(trx, { ...base, orgId: escalateTo, title: `督办：${clock.subject}已逾期（应于 ${clock.dueDate} 前办理）` }, `${key}:escalated`))
        sent++
    }
  }
  return sent
}

/** The city authority's organisation (the escalation target of every overdue clock). */
export async function authorityOrgId(db: Executor): Promise<string | null> {
  const row = await db.selectFrom('orgs').select('id').where('kind', '=', 'authority').orderBy('createdAt').executeTakeFirst()
  return row?.id ?? null
}
