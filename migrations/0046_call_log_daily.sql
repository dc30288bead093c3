-- Daily roll-up of call logs (SPEC §9 M9, R-9 usage): per Beijing day, provider, consumer, app, entry and
-- outcome, the number of calls, the rows they returned and the first call log's id. A year's evaluation
-- reads this instead of grouping millions of call logs on every run (bench/README.md).
--
-- It is maintained in the transaction that inserts the call logs, by a statement trigger (one aggregate
-- per INSERT, so one per journal batch, never one per call), so it always equals a direct count over the
-- committed call logs: a late row (a call journaled after its day closed) updates its own day in the same
-- commit, and a frozen run recomputed later reads what a count of call_logs would read. Call logs are
-- append-only (migration 0027), so nothing ever has to be subtracted.
create table call_log_daily (
  day date not null,                          -- Beijing calendar day of request_in_at
  provider_org_id uuid,
  consumer_org_id uuid,
  app_id uuid,
  resource_id uuid,
  result text not null,
  calls bigint not null,
  rows_returned bigint not null,
  -- The smallest call-log id of the group: a day's calls all have ids at or above the minimum over its
  -- rows, so the part of a day an unfinished period covers is read from call_logs by an id range.
  first_id bigint not null
) with (fillfactor = 80);

-- Denied calls may have no consumer, app or provider: those groups are keyed on NULL as on any value.
create unique index call_log_daily_key on call_log_daily (day, provider_org_id, consumer_org_id, app_id, resource_id, result) nulls not distinct;

create function call_log_daily_add() returns trigger language plpgsql as $$
begin
  -- Ordered by the key, so concurrent writers lock the same groups in the same order (no deadlock); the
  -- call journal's batches are serialised by the audit chain's lock anyway.
  insert into call_log_daily as d (day, provider_org_id, consumer_org_id, app_id, resource_id, result, calls, rows_returned, first_id)
  select ((n.request_in_at + interval '8 hours') at time zone 'UTC')::date, n.provider_org_id, n.consumer_org_id, n.app_id, n.resource_id, n.result,
         count(*), sum(n.rows_returned), min(n.id)
  from new_call_logs n
  group by 1, 2, 3, 4, 5, 6
  order by 1, 2, 3, 4, 5, 6
  on conflict (day, provider_org_id, consumer_org_id, app_id, resource_id, result) do update
    set calls = d.calls + excluded.calls, rows_returned = d.rows_returned + excluded.rows_returned, first_id = least(d.first_id, excluded.first_id);
  return null;
end $$;

create trigger call_log_daily_add after insert on call_logs referencing new table as new_call_logs
  for each statement execute function call_log_daily_add();

-- The call logs recorded before this migration.
insert into call_log_daily (day, provider_org_id, consumer_org_id, app_id, resource_id, result, calls, rows_returned, first_id)
select ((request_in_at + interval '8 hours') at time zone 'UTC')::date, provider_org_id, consumer_org_id, app_id, resource_id, result,
       count(*), sum(rows_returned), min(id)
from call_logs
group by 1, 2, 3, 4, 5, 6;
