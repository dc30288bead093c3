import { type RawBuilder, sql } from 'kysely'
import type { IndicatorId } from '../../../../common/evaluation.ts'
import { beijingDateTime } from '../../platform/calendar/dates.ts'
import type { Executor } from '../../platform/db/database.ts'

/**
 * The records behind each indicator (SPEC §9), written as evidence rows of a run by one INSERT … SELECT
 * per indicator. Figures are then aggregated from the evidence only, so every number drills down to
 * exactly the records it counts. Everything is read from what the platform recorded, bounded by the
 * period: a period that has ended gives the same evidence whenever it is computed.
 */
export interface Period {
  runId: string
  /** First instant counted (00:00 Beijing of the first day). */
  fromAt: Date
  /** First instant not counted: the day after the period (00:00 Beijing), or the computation time if earlier. */
  untilAt: Date
  fromDate: string
  /** Last day counted (the period's last day, or the computation day if earlier). */
  lastDate: string
}

/** Beijing calendar day of a timestamptz column, without relying on the server's time zone data. */
const beijingDay = (column: string) => sql.raw(`((${column} + interval '8 hours') at time zone 'UTC')::date`)

/** A time shown in the evidence only if it happened within the period's reach (later facts would change a frozen period). */
const recordedBy = (column: string, p: Period) => sql`(case when ${sql.raw(column)} < ${p.untilAt} then ${sql.raw(column)} end)`

const insertEvidence = (select: RawBuilder<unknown>) =>
  sql`insert into evaluation_evidence (run_id, org_id, indicator, object_type, object_id, label, day, ok, amount, detail) ${select}`

/** Departments being evaluated. */
const DEPTS = sql`select id from orgs where kind = 'department'`

/** Each resource's version in force at the end of the period (the latest published by then). */
const publishedAtEnd = (p: Period) => sql`
  select distinct on (v.resource_id) v.resource_id, v.provider_org_id, v.name, v.share_type, v.share_basis, v.share_mode_class, v.update_cycle
  from resource_versions v
  where v.published_at is not null and v.published_at < ${p.untilAt}
  order by v.resource_id, v.version desc`

/**
 * Successful calls per provider, consumer and Beijing day within the period: whole days from the daily
 * roll-up (migration 0046, equal to a count of call_logs at any time), and the part of the day the period
 * ends in, when it ends before midnight (a period computed before it is over), from call_logs by an id
 * range that starts at that day's first call.
 */
function successfulCallDays(p: Period) {
  const cutDay = beijingDateTime(p.untilAt).date
  const cutAt = new Date(`${cutDay}T00:00:00+08:00`)
  const wholeDays = sql`
    select provider_org_id, consumer_org_id, day, calls, rows_returned from call_log_daily
    where result = 'success' and day >= ${p.fromDate}::date and day < ${cutDay}::date`
  if (p.untilAt.getTime() === cutAt.getTime()) return wholeDays
  return sql`${wholeDays}
    union all
    select provider_org_id, consumer_org_id, ${beijingDay('request_in_at')}, 1, rows_returned from call_logs
    where result = 'success' and request_in_at >= ${cutAt} and request_in_at < ${p.untilAt}
      and id >= (select min(first_id) from call_log_daily where day = ${cutDay}::date)`
}

const EVIDENCE: Partial<Record<IndicatorId, (p: Period) => RawBuilder<unknown>>> = {
  // M1: review tasks due in the period; on time when done by their due time.
  M1: (p) => sql`
    select ${p.runId}::uuid, t.org_id, 'M1', 'catalog_review_task', t.id::text, v.name || '（' || to_char(t.due_date, 'YYYY-MM-DD') || ' 到期）',
           t.due_date, (t.done_at is not null and t.done_at <= t.due_at), null::numeric,
           jsonb_build_object('dueAt', t.due_at, 'doneAt', ${recordedBy('t.done_at', p)}, 'resourceId', t.resource_id)
    from catalog_review_tasks t
    join resource_versions v on v.resource_id = t.resource_id and v.is_latest
    where t.due_at >= ${p.fromAt} and t.due_at < ${p.untilAt} and t.org_id in (${DEPTS})`,
  // M2: entries the department compiled before the period ended; complete when published by then.
  M2: (p) => sql`
    select ${p.runId}::uuid, r.provider_org_id, 'M2', 'resource', r.id::text, coalesce(pub.name, lv.name), null::date,
           (pub.resource_id is not null), null::numeric, '{}'::jsonb
    from resources r
    join resource_versions lv on lv.resource_id = r.id and lv.is_latest
    left join (${publishedAtEnd(p)}) pub on pub.resource_id = r.id
    where r.created_at < ${p.untilAt} and r.provider_org_id in (${DEPTS})`,
  // M3: published 共享平台方式 entries; mounted when a mount existed by the end and was not suspended then.
  M3: (p) => sql`
    select ${p.runId}::uuid, pub.provider_org_id, 'M3', 'resource', pub.resource_id::text, pub.name, null::date,
           exists (select 1 from mounts m where m.resource_id = pub.resource_id and m.created_at < ${p.untilAt}
                   and (m.status = 'active' or m.updated_at >= ${p.untilAt})), null::numeric, '{}'::jsonb
    from (${publishedAtEnd(p)}) pub
    where pub.share_mode_class = '共享平台方式' and pub.provider_org_id in (${DEPTS})`,
  // M4: mount-days; a day is fresh when the last batch by its end is within the update cycle's staleness
  // limit (SPEC §5.3). Interface mounts serve live data and irregular cycles have no limit: not counted.
  // Counted per batch, not per day: a batch is the latest on the days from its own to the next one's,
  // and of those it keeps fresh the days d with end(d) − finished ≤ limit, i.e. d < day(finished + limit).
  M4: (p) => sql`
    with cycles(update_cycle, max_age) as (values (1, interval '1 hour'), (2, interval '26 hours'), (3, interval '8 days'),
           (4, interval '32 days'), (5, interval '93 days'), (6, interval '184 days'), (7, interval '366 days')),
    mm as (
      select m.id as mount_id, pub.provider_org_id, pub.name, c.max_age, greatest(${p.fromDate}::date, ${beijingDay('m.created_at')}) as first_day
      from mounts m
      join (${publishedAtEnd(p)}) pub on pub.resource_id = m.resource_id
      join cycles c on c.update_cycle = pub.update_cycle
      where m.kind = 'table' and m.created_at < ${p.untilAt} and pub.provider_org_id in (${DEPTS})
    ),
    b as (
      select mm.mount_id, mm.first_day, mm.max_age, b.finished_at, ${beijingDay('b.finished_at')} as day,
             lead(${beijingDay('b.finished_at')}) over (partition by mm.mount_id order by b.finished_at) as next_day
      from mm join mount_batches b on b.mount_id = mm.mount_id and b.status in ('active', 'replaced') and b.finished_at < ${p.untilAt}
    ),
    spans as (
      select mount_id, greatest(day, first_day) as s, least(coalesce(next_day - 1, ${p.lastDate}::date), ${p.lastDate}::date) as e,
             ((finished_at + max_age + interval '8 hours') at time zone 'UTC')::date - 1 as fresh_until
      from b
    ),
    covered as (
      select mount_id, s, greatest(0, least(e, fresh_until) - s + 1) as fresh,
             case when greatest(s, fresh_until + 1) <= e then jsonb_build_array(to_char(greatest(s, fresh_until + 1), 'YYYY-MM-DD'), to_char(e, 'YYYY-MM-DD')) end as stale_range
      from spans where e >= s
    )
    select ${p.runId}::uuid, mm.provider_org_id, 'M4', 'mount', mm.mount_id::text, mm.name, null::date, null::boolean,
           coalesce(sum(c.fresh), 0),
           jsonb_build_object('days', ${p.lastDate}::date - mm.first_day + 1, 'staleRanges',
             (case when coalesce(min(c.s), ${p.lastDate}::date + 1) > mm.first_day
                   then jsonb_build_array(jsonb_build_array(to_char(mm.first_day, 'YYYY-MM-DD'), to_char(coalesce(min(c.s), ${p.lastDate}::date + 1) - 1, 'YYYY-MM-DD')))
                   else '[]'::jsonb end)
             || coalesce(jsonb_agg(c.stale_range order by c.s) filter (where c.stale_range is not null), '[]'::jsonb))
    from mm left join covered c on c.mount_id = mm.mount_id
    where mm.first_day <= ${p.lastDate}::date
    group by mm.mount_id, mm.provider_org_id, mm.name, mm.first_day`,
  // M5: conditional requests whose reply was due in the period; on time when the provider decided by then.
  M5: (p) => sql`
    select ${p.runId}::uuid, s.provider_org_id, 'M5', 'share_request', s.id::text, s.no || ' ' || v.name, ${beijingDay('s.due_at')},
           (s.decided_at is not null and s.decided_at <= s.due_at and s.escalated_at is null), null::numeric,
           jsonb_build_object('dueAt', s.due_at, 'decidedAt', ${recordedBy('s.decided_at', p)})
    from share_requests s
    join resource_versions v on v.resource_id = s.resource_id and v.version = s.resource_version
    where s.due_at is not null and s.due_at >= ${p.fromAt} and s.due_at < ${p.untilAt} and s.status <> 'withdrawn'
      and s.provider_org_id in (${DEPTS})`,
  // M6: objections whose verification by the provider was due in the period; on time when it answered
  // (confirmed the error or explained) by the due time. The amount is the records of an error it confirmed
  // by the period's end, for the data error rate (confirmed error records / records delivered).
  M6: (p) => sql`
    select ${p.runId}::uuid, o.provider_org_id, 'M6', 'objection', o.id::text, o.no || ' ' || v.name, ${beijingDay('o.verify_due_at')},
           (o.verified_at is not null and o.verified_at <= o.verify_due_at),
           (case when o.correcting_at is not null and o.correcting_at < ${p.untilAt} then cardinality(o.record_keys) else 0 end)::numeric,
           jsonb_build_object('dueAt', o.verify_due_at, 'verifiedAt', ${recordedBy('o.verified_at', p)},
             'confirmed', o.correcting_at is not null and o.correcting_at < ${p.untilAt}, 'records', cardinality(o.record_keys))
    from objections o
    join resource_versions v on v.resource_id = o.resource_id and v.is_latest
    where o.verify_due_at >= ${p.fromAt} and o.verify_due_at < ${p.untilAt} and o.provider_org_id in (${DEPTS})`,
  // M7: entries published at the end; type 1 counts for; type 2/3 without a basis is zero tolerance.
  M7: (p) => sql`
    select ${p.runId}::uuid, pub.provider_org_id, 'M7', 'resource', pub.resource_id::text, pub.name, null::date, (pub.share_type = 1), null::numeric,
           jsonb_build_object('shareType', pub.share_type, 'noBasis', pub.share_type <> 1 and coalesce(btrim(pub.share_basis), '') = '')
    from (${publishedAtEnd(p)}) pub
    where pub.provider_org_id in (${DEPTS})`,
  // M8: the provider's decisions in the period (automatic grants of 无条件 data are not decisions).
  M8: (p) => sql`
    select ${p.runId}::uuid, s.provider_org_id, 'M8', 'share_request', s.id::text, s.no || ' ' || v.name, ${beijingDay('s.decided_at')},
           (s.decision = 'approve' or coalesce(btrim(s.decision_reason), '') <> ''), null::numeric,
           jsonb_build_object('rejected', s.decision = 'reject', 'basis', coalesce(btrim(s.decision_reason), '') <> '', 'reason', s.decision_reason)
    from share_requests s
    join resource_versions v on v.resource_id = s.resource_id and v.version = s.resource_version
    where s.decided_by is not null and s.decided_at >= ${p.fromAt} and s.decided_at < ${p.untilAt}
      and s.decision in ('approve', 'reject') and s.provider_org_id in (${DEPTS})`,
  // M9: successful gateway calls to the department's data, one evidence row per consumer and Beijing day.
  M9: (p) => sql`
    select ${p.runId}::uuid, c.provider_org_id, 'M9', 'call_day', c.consumer_org_id::text, min(o.name), c.day, true,
           sum(c.calls), jsonb_build_object('rows', sum(c.rows_returned))
    from (${successfulCallDays(p)}) c
    join orgs o on o.id = c.consumer_org_id
    where c.provider_org_id in (${DEPTS}) and c.consumer_org_id <> c.provider_org_id
    group by c.provider_org_id, c.consumer_org_id, c.day`,
  // M10: demands assigned to the department whose response was due in the period; met when it fulfilled
  // them (catalogued, mounted, request opened) by the period's end. Declined or still open: not met.
  M10: (p) => sql`
    select ${p.runId}::uuid, d.provider_org_id, 'M10', 'demand', d.id::text, d.no || ' ' || d.title, ${beijingDay('d.provider_due_at')},
           (d.status = 'fulfilled' and d.provider_done_at < ${p.untilAt}), null::numeric,
           jsonb_build_object('dueAt', d.provider_due_at, 'doneAt', ${recordedBy('d.provider_done_at', p)},
             'onTime', d.status = 'fulfilled' and d.provider_done_at <= d.provider_due_at)
    from demands d
    where d.provider_due_at >= ${p.fromAt} and d.provider_due_at < ${p.untilAt} and d.provider_org_id in (${DEPTS})`,
  // M11: the department's apps flagged for probing masked lookups (R-9 misuse), first seen in the period.
  M11: (p) => sql`
    select ${p.runId}::uuid, f.org_id, 'M11', 'app_flag', f.id::text, a.name || '：异常查询 ' || f.misses || ' 次', ${beijingDay('f.first_at')}, false, 1, '{}'::jsonb
    from gateway_app_flags f join apps a on a.id = f.app_id
    where f.first_at >= ${p.fromAt} and f.first_at < ${p.untilAt} and f.org_id in (${DEPTS})`,
  // M12: rectification notices due in the period and not closed by their due time.
  M12: (p) => sql`
    select ${p.runId}::uuid, n.org_id, 'M12', 'rectification_notice', n.id::text, '整改通知（' || n.indicator || '）逾期未办结', n.due_date, false, 1,
           jsonb_build_object('dueAt', n.due_at, 'closedAt', ${recordedBy('n.closed_at', p)})
    from rectification_notices n
    where n.due_at >= ${p.fromAt} and n.due_at < ${p.untilAt} and (n.closed_at is null or n.closed_at > n.due_at)
      and n.org_id in (${DEPTS})`,
}

/** Writes the run's evidence for every indicator that has a record source. */
export async function writeEvidence(trx: Executor, period: Period, timings?: Record<string, number>): Promise<void> {
  for (const [id, build] of Object.entries(EVIDENCE)) {
    const started = performance.now()
    await insertEvidence(build(period)).execute(trx)
    if (timings) timings[id] = Math.round(performance.now() - started)
  }
}

/** Per department and indicator: what the evidence sums to. */
export interface EvidenceTotals {
  orgId: string
  indicator: IndicatorId
  count: number
  okCount: number
  amount: number
  days: number
  distinct: number
  rejected: number
  rejectedWithBasis: number
  noBasis: number
  rows: number
}

export async function evidenceTotals(db: Executor, runId: string): Promise<EvidenceTotals[]> {
  const { rows } = await sql<Record<string, string>>`
    select org_id, indicator, count(*) as count, count(*) filter (where ok) as ok_count, coalesce(sum(amount), 0) as amount,
           coalesce(sum((detail->>'days')::numeric), 0) as days, count(distinct object_id) as distinct,
           count(*) filter (where detail->>'rejected' = 'true') as rejected,
           count(*) filter (where detail->>'rejected' = 'true' and detail->>'basis' = 'true') as rejected_with_basis,
           count(*) filter (where detail->>'noBasis' = 'true') as no_basis,
           coalesce(sum((detail->>'rows')::numeric), 0) as rows
    from evaluation_evidence where run_id = ${runId} group by org_id, indicator`.execute(db)
  return rows.map((r) => ({
    // CamelCasePlugin renames the result columns.
    orgId: r.orgId!,
    indicator: r.indicator as IndicatorId,
    count: Number(r.count),
    okCount: Number(r.okCount),
    amount: Number(r.amount),
    days: Number(r.days),
    distinct: Number(r.distinct),
    rejected: Number(r.rejected),
    rejectedWithBasis: Number(r.rejectedWithBasis),
    noBasis: Number(r.noBasis),
    rows: Number(r.rows),
  }))
}
