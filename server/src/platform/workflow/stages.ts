import { sql } from 'kysely'
import type { Executor } from '../db/database.ts'
import type { ClockedTable } from './clock.ts'

/**
 * What the supervision workflows (objections, demands) show alike: a case's stage state beside its
 * status label, and its timeline of events. One place, so the two read the same to their users.
 */

/** The stage fields of a case as presented: an escalated stage says so in the status label. */
export function stageState(row: { escalatedAt: Date | string | null; stage: string | null; dueDate: string | null }, statusLabel: string) {
  return {
    statusLabel: row.escalatedAt && row.stage ? `${statusLabel}（已逾期，主管部门督办）` : statusLabel,
    dueDate: row.dueDate ?? null,
    escalated: !!row.escalatedAt,
  }
}

export interface TimelineEvent {
  at: Date
  action: string
  toStatus: string
  comment: string | null
  actorName: string | null
}

// Each workflow table's events table and the column naming the case (migrations: objection_events, demand_events).
const EVENTS = { objections: ['objection_events', 'objection_id'], demands: ['demand_events', 'demand_id'] } as const

/** A case's events, oldest first, with the acting user's name (null for the system's clock). */
export async function stageTimeline(db: Executor, table: ClockedTable, id: string): Promise<TimelineEvent[]> {
  const [events, column] = EVENTS[table]
  const { rows } = await sql<TimelineEvent>`
    select e.at, e.action, e.to_status, e.comment, u.name as actor_name
      from ${sql.table(events)} e left join users u on u.id = e.actor_id
     where ${sql.ref(`e.${column}`)} = ${id} order by e.id`.execute(db)
  return rows.map((e) => ({ ...e, at: new Date(e.at) }))
}

/** The timeline comments of the stage clock (clock.ts), worded once for both workflows. */
export const overdueComment = (stageLabel: string, dueDate: string) => `${stageLabel}逾期（期限 ${dueDate}），已自动提交主管部门督办`
export const dueSoonComment = (dueDate: string) => `期限 ${dueDate} 即将到期`
