-- Resource mounting (资源挂接, SPEC §6.2, §7.3): tables loaded from CSV/XLSX, versioned files, upstream APIs.

-- Managed copies of mounted tables live in their own schema, one table per loaded batch.
create schema if not exists mounted;

create table mounts (
  id uuid primary key default gen_random_uuid(),
  resource_id uuid not null references resources(id),
  kind text not null check (kind in ('table', 'file', 'api')),
  status text not null default 'active' check (status in ('active', 'suspended')),
  -- table: the batch readers see now (schema mounted), and how items map to its columns
  active_table text,
  active_batch_id uuid,
  columns jsonb not null default '[]',
  row_count bigint not null default 0,
  last_data_time timestamptz,
  -- api: the upstream the gateway proxies (never shown to consumers)
  upstream_url text,
  upstream_method text,
  upstream_params jsonb not null default '[]',
  timeout_ms int,
  created_by uuid references users(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (resource_id, kind)
);

create table mount_batches (
  id uuid primary key default gen_random_uuid(),
  mount_id uuid not null references mounts(id),
  table_name text not null,
  status text not null check (status in ('loading', 'active', 'replaced', 'failed')),
  file_name text,
  file_size bigint,
  encoding text,
  rows_loaded bigint not null default 0,
  rows_rejected bigint not null default 0,
  rejected_sample jsonb not null default '[]',
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  created_by uuid references users(id)
);
create index mount_batches_mount_idx on mount_batches (mount_id, started_at desc);

create table mount_files (
  id uuid primary key default gen_random_uuid(),
  mount_id uuid not null references mounts(id),
  version int not null,
  file_name text not null,
  content_type text,
  size_bytes bigint not null,
  sm3 text not null,
  content bytea not null,
  created_by uuid references users(id),
  created_at timestamptz not null default now(),
  unique (mount_id, version)
);
