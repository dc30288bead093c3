import { sql } from 'kysely'
import { beijingDateTime } from '../calendar/dates.ts'
import { addWorkdays, workdayDeadline } from '../calendar/working-days.ts'
import { type ParameterKey, numberParameter } from '../config/parameters.ts'
import type { Db, Executor } from '../db/database.ts'

/**
 * Stage clocks of the supervision workflows (objections, demands; SPEC §7.1): a stage's deadline in
 * working days from a tenant parameter, warnings at due − N WD and escalation once overdue. Each
 * workflow table has the columns `no`, `status`, `stage`, `due_date`, `due_at`, `warned_at` and
 * `escalated_at`; rows are claimed with FOR UPDATE SKIP LOCKED, so several processes act once.
 */

export type ClockedTable = 'objections' | 'demands'

export interface ClockedRow {
  id: string
  no: string
  status: string
  stage: string
  dueDate: string
  dueAt: Date
}

const BATCH = 100

/** The deadline of a stage that starts at `at`, from the parameter giving its length in working days. */
export async function stageDeadline(db: Executor, at: Date, key: ParameterKey) {
  return workdayDeadline(db, at, await numberParameter(db, key))
}

/** A human number: `prefix` + yyyymmdd + a 4-digit sequence of the day (serialised per prefix and day). */
export async function nextNumber(db: Executor, table: ClockedTable, prefix: string, at: Date): Promise<string> {
  const head = `${prefix}${beijingDateTime(at).date.replaceAll('-', '')}`
  await sql`select pg_advisory_xact_lock(hashtext(${head}))`.execute(db)
  const row = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where no like ${`${head}%`}`.execute(db)
  return `${head}${String(row.rows[0].n + 1).padStart(4, '0')}`
}

/** Stages past their due time, not escalated yet: `onOverdue` runs for each in the claiming transaction. */
export async function escalateOverdue(db: Db, now: Date, table: ClockedTable, onOverdue: (trx: Executor, row: ClockedRow) => Promise<void>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await sql<ClockedRow>`select id, no, status, stage, due_date::text as due_date, due_at from ${sql.table(table)}
      where due_at < ${now} and escalated_at is null order by due_at limit ${BATCH} for update skip locked`.execute(trx)
    for (const row of rows.rows) {
      await sql`update ${sql.table(table)} set escalated_at = ${now}, updated_at = ${now} where id = ${row.id}`.execute(trx)
      await onOverdue(trx, row)
    }
    return rows.rows.length
  })
}

/** Stages due within the warning horizon (the sharing warning parameter), warned once per stage. */
export async function warnDueSoon(db: Db, now: Date, table: ClockedTable, onWarn: (trx: Executor, row: ClockedRow) => Promise<void>): Promise<number> {
  const horizon = await addWorkdays(db, beijingDateTime(now).date, await numberParameter(db, 'sharing.warnBeforeWorkdays'))
  return db.transaction().execute(async (trx) => {
    const rows = await sql<ClockedRow>`select id, no, status, stage, due_date::text as due_date, due_at from ${sql.table(table)}
      where due_date <= ${horizon} and due_at >= ${now} and warned_at is null and escalated_at is null
      order by due_at limit ${BATCH} for update skip locked`.execute(trx)
    for (const row of rows.rows) {
      await sql`update ${sql.table(table)} set warned_at = ${now} where id = ${row.id}`.execute(trx)
      await onWarn(trx, row)
    }
    return rows.rows.length
  })
}

/** The clock columns of a new stage (warnings and escalation start afresh). */
export const stageClock = (stage: string | null, deadline: { dueDate: string; dueAt: Date } | null) => ({
  stage: stage as never,
  dueDate: deadline?.dueDate ?? null,
  dueAt: deadline?.dueAt ?? null,
  warnedAt: null,
  escalatedAt: null,
})

/** Who acts when a background task moves a workflow: the system, at the task's time. */
export const systemSource = (at: Date) => ({ actorId: null, orgId: null, roles: ['SYSTEM'], ip: null, requestId: null, at })
