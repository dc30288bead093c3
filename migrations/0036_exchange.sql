-- The exchange system (交换体系, SPEC §3, §6.3, §6.7, §7.6–7.7): front-end nodes run by departments, table feeds
-- from a provider's database into a table mount, and deliveries of 库表 grants into a consumer's database.

create table exchange_nodes (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs(id),
  name text not null,
  note text,
  -- one-time enrolment token: only its SM3 digest is stored; spent once enrolled
  enrol_token_digest text,
  enrol_expires_at timestamptz,
  enrolled_at timestamptz,
  -- the agent's own credential after enrolment (SM3 digest of the secret)
  credential_digest text,
  -- the names (and kinds) of the node's local database connections, as the agent reports them: never addresses
  connections jsonb not null default '[]',
  agent_version text,
  heartbeat_at timestamptz,
  heartbeat_seconds int not null default 30 check (heartbeat_seconds between 1 and 3600),
  problem text,
  created_by uuid references users(id),
  created_at timestamptz not null default now(),
  unique (org_id, name)
);

create table exchange_jobs (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('feed', 'delivery')),
  node_id uuid not null references exchange_nodes(id),
  resource_id uuid not null references resources(id),
  grant_id uuid references grants(id),
  connection text not null,
  -- feed: the source table; delivery: the target table (in the node's database)
  table_name text not null,
  key_column text,
  incremental_column text,
  -- feed: [{itemId, column}] (item ↔ column of the source table)
  column_map jsonb not null default '[]',
  where_filter text,
  carry_deletes boolean not null default false,
  -- DataX-like controls
  channels int not null default 1 check (channels between 1 and 16),
  split_pk text,
  speed_records int check (speed_records > 0),
  speed_bytes int check (speed_bytes > 0),
  error_limit_count int check (error_limit_count >= 0),
  error_limit_share numeric check (error_limit_share >= 0 and error_limit_share <= 1),
  write_mode text not null default 'upsert' check (write_mode in ('insert', 'upsert')),
  status text not null check (status in ('draft', 'verifying', 'active', 'stopped', 'purging', 'purged')),
  status_reason text,
  -- feed: the incremental column's newest value loaded; delivery: the provider batch and line delivered
  watermark text,
  delivered_batch_id uuid,
  delivered_line bigint,
  -- delivery: what was delivered (items, masks, filter, pseudonym salt): a change means a full run
  delivered_signature text,
  delivered_items jsonb not null default '[]',
  run_requested boolean not null default false,
  full_requested boolean not null default true,
  next_run_at timestamptz,
  consecutive_failures int not null default 0,
  flagged_at timestamptz,
  purge_requested_at timestamptz,
  purged_at timestamptz,
  created_by uuid not null references users(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index exchange_jobs_node_idx on exchange_jobs (node_id);
create unique index exchange_jobs_grant_idx on exchange_jobs (grant_id) where kind = 'delivery' and status <> 'purged';
create unique index exchange_jobs_feed_idx on exchange_jobs (resource_id) where kind = 'feed' and status <> 'stopped';

create table exchange_runs (
  id uuid primary key default gen_random_uuid(),
  -- creation order (start times may tie)
  seq bigint generated always as identity,
  job_id uuid not null references exchange_jobs(id),
  kind text not null check (kind in ('verify', 'full', 'incremental', 'purge')),
  status text not null check (status in ('running', 'succeeded', 'failed')),
  started_at timestamptz not null,
  finished_at timestamptz,
  -- the agent must report before this, or the run is failed and retried
  lease_until timestamptz not null,
  rows_read bigint not null default 0,
  rows_written bigint not null default 0,
  rows_deleted bigint not null default 0,
  rows_failed bigint not null default 0,
  bytes bigint not null default 0,
  duration_ms int,
  error text,
  -- feed: keys deleted at the source; the batch this run made (feed) or delivered (delivery)
  deleted_keys jsonb not null default '[]',
  batch_id uuid,
  base_line bigint,
  detail jsonb not null default '{}'
);
create index exchange_runs_job_idx on exchange_runs (job_id, seq desc);
create unique index exchange_runs_one_running on exchange_runs (job_id) where status = 'running';
