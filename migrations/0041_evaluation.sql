-- 考核 (SPEC §9, §7.11): each run is a frozen snapshot of M1–M12 for a period. Nothing here is typed in:
-- a run's rows are written once by the computation and never updated (recomputing a period is a new run).
create table evaluation_runs (
  id uuid primary key default gen_random_uuid(),
  period_from date not null,
  period_to date not null,
  label text not null,
  -- The weights and thresholds in force for each tenant when the run was computed (frozen with it).
  settings jsonb not null,
  status text not null default 'done' check (status in ('done')),
  computed_at timestamptz not null,
  computed_by uuid null references users (id),
  check (period_from <= period_to)
);

-- One indicator of one subject: a department (org_id), a tenant (the city or a county: level 'tenant',
-- org_id null) or the whole city (level 'city'). score null = not applicable (nothing to count).
create table evaluation_scores (
  run_id uuid not null references evaluation_runs (id),
  level text not null check (level in ('department', 'tenant', 'city')),
  org_id uuid null references orgs (id),
  tenant text not null,
  indicator text not null,
  numerator numeric not null,
  denominator numeric not null,
  value numeric null,
  score numeric null,
  weight numeric not null,
  threshold numeric not null,
  detail jsonb not null default '{}'
);
create index evaluation_scores_run on evaluation_scores (run_id, level, tenant);

-- A department's (or tenant's) weighted total and its rank within its tenant.
create table evaluation_totals (
  run_id uuid not null references evaluation_runs (id),
  level text not null check (level in ('department', 'tenant', 'city')),
  org_id uuid null references orgs (id),
  tenant text not null,
  total numeric null,
  rank integer null
);
create index evaluation_totals_run on evaluation_totals (run_id, level, tenant);

-- The records behind each figure (drill-down): which request, task, mount, day of calls, … and whether it
-- counted for (ok) or against the department. Frozen with the run.
-- No foreign keys: the rows are written once, by the computation, from ids it has just read; checking
-- tens of thousands of them per run costs more than the rest of the insert.
create table evaluation_evidence (
  id bigint generated always as identity primary key,
  run_id uuid not null,
  org_id uuid not null,
  indicator text not null,
  object_type text not null,
  object_id text not null,
  label text not null,
  day date null,
  ok boolean null,
  amount numeric null,
  detail jsonb not null default '{}'
);
create index evaluation_evidence_lookup on evaluation_evidence (run_id, org_id, indicator, id);

-- Weights and thresholds per tenant ('' = the city-wide value counties inherit), SPEC §9 defaults in code.
create table evaluation_settings (
  tenant text not null,
  indicator text not null,
  weight numeric not null check (weight >= 0 and weight <= 100),
  threshold numeric not null check (threshold >= 0 and threshold <= 100),
  updated_by uuid null references users (id),
  updated_at timestamptz not null default now(),
  primary key (tenant, indicator)
);

-- R-17 整改通知: issued for an indicator below its threshold, answered by the department, closed by the authority.
create table rectification_notices (
  id uuid primary key default gen_random_uuid(),
  run_id uuid not null references evaluation_runs (id),
  org_id uuid not null references orgs (id),
  indicator text not null,
  score numeric not null,
  threshold numeric not null,
  status text not null check (status in ('issued', 'responded', 'closed')),
  due_date date not null,
  due_at timestamptz not null,
  measures text null,
  responded_by uuid null references users (id),
  responded_at timestamptz null,
  closing_comment text null,
  closed_by uuid null references users (id),
  closed_at timestamptz null,
  escalated_at timestamptz null,
  issued_by uuid null references users (id),
  issued_at timestamptz not null,
  unique (run_id, org_id, indicator)
);
create index rectification_notices_org on rectification_notices (org_id, status);

-- Freshness (SPEC §7.3): the daily check's flag on a mount that breached its update cycle's staleness
-- limit, cleared by the next batch; and each new batch's quality report.
alter table mounts add column if not exists stale_since timestamptz null;
create table mount_quality_reports (
  batch_id uuid primary key references mount_batches (id),
  mount_id uuid not null references mounts (id),
  created_at timestamptz not null,
  rows integer not null,
  previous_rows integer null,
  row_swing numeric null,
  duplicate_keys integer not null,
  null_rates jsonb not null,
  problems text[] not null
);
create index mount_quality_reports_mount on mount_quality_reports (mount_id, created_at desc);

-- M4 asks, for each mount and day, for the last batch finished by then.
create index if not exists mount_batches_finished on mount_batches (mount_id, finished_at);
