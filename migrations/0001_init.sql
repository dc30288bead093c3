-- GovShare initial schema: identity, organisations, calendar, parameters, audit, catalog.
-- SQL kept at the PostgreSQL 15 level (PGlite runs 18; CI runs both).

create table orgs (
  id uuid primary key default gen_random_uuid(),
  name text not null unique,
  short_name text,
  code char(18) unique,                -- 统一社会信用代码 (SPEC §4.3); null for a region tenant node
  region_code char(6) not null,        -- GB/T 2260
  parent_id uuid references orgs(id),
  kind text not null check (kind in ('authority', 'department', 'region')),
  org_type text not null default '政府部门',
  status text not null default 'active' check (status in ('active', 'disabled')),
  created_at timestamptz not null default now()
);

create table users (
  id uuid primary key default gen_random_uuid(),
  username text not null unique,
  name text not null,
  org_id uuid not null references orgs(id),
  roles text[] not null,
  password_hash text not null,
  mobile text,
  status text not null default 'active' check (status in ('active', 'disabled')),
  failed_logins int not null default 0,
  locked_until timestamptz,
  last_login_at timestamptz,
  created_at timestamptz not null default now()
);
create index users_org_idx on users (org_id);

-- Login sessions: opaque bearer tokens, stored only as SM3 digests so a database leak yields no usable token.
create table sessions (
  id uuid primary key default gen_random_uuid(),
  token_hash text not null unique,
  user_id uuid not null references users(id),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  revoked_at timestamptz,
  ip text
);
create index sessions_user_idx on sessions (user_id);

-- Working-day calendar overrides. A date absent here follows the weekday rule (Mon–Fri work).
create table work_calendar (
  day date primary key,
  is_workday boolean not null,
  note text not null default '',
  source text not null default 'seed' check (source in ('seed', 'admin')),
  updated_at timestamptz not null default now()
);

create table parameters (
  key text primary key,
  value jsonb not null,
  updated_by uuid references users(id),
  updated_at timestamptz not null default now()
);

-- Append-only, SM3 hash-chained audit log (SPEC §8.4 S12).
create table audit_events (
  id bigserial primary key,
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
  hash text not null
);
create index audit_events_at_idx on audit_events (at);
create index audit_events_object_idx on audit_events (object_type, object_id);

-- Classification tree: 类 (1 digit) / 项 (2) / 目 (3) [/ 细目] (SPEC §4.1–4.2).
create table class_nodes (
  code text primary key,
  name text not null,
  parent_code text references class_nodes(code),
  depth int not null check (depth between 1 and 4),
  lead_org_id uuid references orgs(id),   -- lead department of a 基础/主题 library (R-2, R-3)
  sort int not null default 0
);
create index class_nodes_parent_idx on class_nodes (parent_code);

-- 顺序码 counters: only ever increase, so a code is never reused (SPEC §4.2).
create table resource_code_sequences (
  class_code text primary key references class_nodes(code),
  last_seq int not null
);

-- A catalog entry's identity. Its content lives in versions.
create table resources (
  id uuid primary key default gen_random_uuid(),
  provider_org_id uuid not null references orgs(id),
  code text unique,                 -- 分类码/顺序码, assigned at first publication, immutable afterwards
  latest_version int not null,
  published_version int,
  first_published_at timestamptz,
  created_at timestamptz not null default now()
);
create index resources_provider_idx on resources (provider_org_id);

create table resource_versions (
  id uuid primary key default gen_random_uuid(),
  resource_id uuid not null references resources(id),
  version int not null,
  provider_org_id uuid not null references orgs(id),
  status text not null check (status in ('draft', 'pending_review', 'returned', 'published', 'withdrawn', 'superseded')),
  is_latest boolean not null,
  is_published boolean not null default false,
  name text not null,
  name_en text,
  class_code text not null references class_nodes(code),
  provider_subunit text,
  abstract text not null,
  source_system text,
  format_class int not null,
  format_type text not null,
  format_other text,
  share_type int not null check (share_type in (1, 2, 3)),
  share_condition text,
  share_basis text,
  share_mode_class text not null,
  share_mode_reason text,
  share_modes text[] not null default '{}',
  open_flag boolean not null,
  open_condition text,
  update_cycle int not null,
  update_time_limit text,
  related_codes text[] not null default '{}',
  secret boolean not null default false,
  level_attr text not null,
  data_grade text not null,
  survey jsonb not null default '{}',
  duty_refs text[] not null default '{}',
  space_scope text,
  time_range_from date,
  time_range_to date,
  sync_mech text,
  phys_delete boolean,
  contact_name text,
  contact_phone text,
  items jsonb not null default '[]',
  search_text text not null,
  search_vector tsvector not null,
  changed_by uuid references users(id),
  changed_at timestamptz not null default now(),
  changed_fields text[] not null default '{}',
  submitted_at timestamptz,
  review_due_at timestamptz,
  reviewed_by uuid references users(id),
  reviewed_at timestamptz,
  review_comment text,
  published_at timestamptz,
  withdrawn_reason text,
  unique (resource_id, version)
);
create index resource_versions_search_idx on resource_versions using gin (search_vector);
create index resource_versions_latest_idx on resource_versions (provider_org_id) where is_latest;
create index resource_versions_published_idx on resource_versions (published_at desc) where is_published;
create index resource_versions_class_idx on resource_versions (class_code);
create unique index resource_versions_name_per_provider on resource_versions (provider_org_id, name) where is_latest and status <> 'withdrawn';

-- R-14: a 法律法规修订 / 职能调整 event opens one review task per entry, due 15 working days later.
create table catalog_change_events (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs(id),
  kind text not null check (kind in ('law_revision', 'function_change')),
  occurred_at timestamptz not null,
  description text not null,
  created_by uuid not null references users(id),
  created_at timestamptz not null default now()
);

create table catalog_review_tasks (
  id uuid primary key default gen_random_uuid(),
  event_id uuid not null references catalog_change_events(id),
  resource_id uuid not null references resources(id),
  org_id uuid not null references orgs(id),
  due_date date not null,
  due_at timestamptz not null,
  status text not null default 'open' check (status in ('open', 'done')),
  resolution text,
  done_by uuid references users(id),
  done_at timestamptz,
  created_at timestamptz not null default now()
);
create index catalog_review_tasks_open_idx on catalog_review_tasks (due_at) where status = 'open';
create index catalog_review_tasks_resource_idx on catalog_review_tasks (resource_id) where status = 'open';
