-- Audit log partitioned by month, append-only in the database, archived segments recorded (SPEC §8.4 S12:
-- ≥ 6 months online, ≥ 3 years archived, tamper evidence through the SM3 chain).
-- The existing table is converted in place: every event keeps its id, fields and hashes, so the chain
-- verifies exactly as before.

-- Partitions live in their own schema: the application and its tools only ever see audit_events.
create schema if not exists audit_partitions;

-- A month as users read it: Beijing time (UTC+8, no daylight saving), whatever the session time zone.
create function audit_month_start(ts timestamptz) returns timestamptz language sql immutable as $$
  select (date_trunc('month', (ts at time zone 'UTC') + interval '8 hours') - interval '8 hours') at time zone 'UTC'
$$;

create function audit_partition_name(ts timestamptz) returns text language sql immutable as $$
  select 'audit_events_' || to_char((audit_month_start(ts) at time zone 'UTC') + interval '8 hours', 'YYYYMM')
$$;

-- Nobody changes or deletes an audit event, the system administrator included. Archiving detaches and
-- drops whole partitions, which fires no row trigger.
create function audit_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '审计日志只允许追加，不能修改或删除（%）', tg_op using errcode = 'insufficient_privilege';
end $$;

-- Creates the month's partition when missing; returns its name. Takes the chain's advisory lock (the
-- one appendAudit holds) so two processes never race to create the same partition.
create function audit_ensure_partition(ts timestamptz) returns text language plpgsql as $$
declare
  lo timestamptz := audit_month_start(ts);
  hi timestamptz := audit_month_start(audit_month_start(ts) + interval '40 days');
  part text := audit_partition_name(ts);
begin
  if to_regclass('audit_partitions.' || part) is not null then
    return part;
  end if;
  perform pg_advisory_xact_lock(7370701);
  if to_regclass('audit_partitions.' || part) is null then
    execute format('create table audit_partitions.%I partition of audit_events for values from (%L) to (%L)', part, lo, hi);
    -- Statement triggers are not inherited: TRUNCATE of the partition itself is refused here.
    execute format('create trigger audit_refuse_truncate before truncate on audit_partitions.%I for each statement execute function audit_refuse_change()', part);
  end if;
  return part;
end $$;

alter table audit_events rename to audit_events_unpartitioned;
alter index audit_events_pkey rename to audit_events_unpartitioned_pkey;
alter index audit_events_at_idx rename to audit_events_unpartitioned_at_idx;
alter index audit_events_object_idx rename to audit_events_unpartitioned_object_idx;
-- Keep the id sequence (ids continue where they were): detach it before the old table goes.
alter sequence audit_events_id_seq owned by none;

create table audit_events (
  id bigint not null default nextval('audit_events_id_seq'),
  at timestamptz not null default now(),
  actor_id uuid,
  app_id uuid,
  org_id uuid,
  roles text[] not null default '{}',
  action text not null,
  object_type text,
  object_id text,
  result text not null check (result in ('success', 'denied', 'error')),
  ip text,
  request_id text,
  grant_id uuid,
  detail jsonb not null default '{}',
  prev_hash text not null,
  hash text not null,
  -- A partitioned table's key must contain the partition column; ids stay unique through the sequence.
  primary key (id, at)
) partition by range (at);
alter sequence audit_events_id_seq owned by audit_events.id;

create index audit_events_at_idx on audit_events (at);
create index audit_events_object_idx on audit_events (object_type, object_id);
-- Auditor search (actor, org, action, request, grant).
create index audit_events_actor_idx on audit_events (actor_id, at);
create index audit_events_org_idx on audit_events (org_id, at);
create index audit_events_action_idx on audit_events (action, at);
create index audit_events_request_idx on audit_events (request_id);
create index audit_events_grant_idx on audit_events (grant_id);

create trigger audit_refuse_change before update or delete on audit_events for each row execute function audit_refuse_change();
create trigger audit_refuse_truncate before truncate on audit_events for each statement execute function audit_refuse_change();

-- Partitions for every month holding events, and for this month and the next two.
do $$
declare
  m timestamptz := audit_month_start(least(now(), coalesce((select min(at) from audit_events_unpartitioned), now())));
  last_month timestamptz := audit_month_start(greatest(now(), coalesce((select max(at) from audit_events_unpartitioned), now())) + interval '62 days');
begin
  while m <= last_month loop
    perform audit_ensure_partition(m);
    m := audit_month_start(m + interval '40 days');
  end loop;
end $$;

insert into audit_events select * from audit_events_unpartitioned order by id;
drop table audit_events_unpartitioned;

-- Archived segments (oldest months, moved to files): verification of the online chain starts from the
-- newest segment's last hash.
create table audit_archives (
  id bigserial primary key,
  partition_name text not null unique,
  range_from timestamptz not null,
  range_to timestamptz not null,
  event_count int not null,
  first_id bigint,
  last_id bigint,
  -- The hash the segment's first event links to, its first event's hash and its last hash (the chain
  -- head when the segment ends; equal to prev_hash for an empty month).
  prev_hash text not null,
  first_hash text,
  last_hash text not null,
  last_at timestamptz,
  file_name text not null,
  file_sm3 text not null,
  file_bytes bigint not null,
  archived_at timestamptz not null default now()
);
create trigger audit_archives_refuse_change before update or delete on audit_archives for each row execute function audit_refuse_change();
