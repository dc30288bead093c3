-- Data service gateway (SPEC §6.6, §8.2 S6): apps, access tokens, call log, shared rate counters.

create table apps (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references orgs(id),
  name text not null,
  app_key text not null unique,
  secret_hash text not null,                  -- argon2id; the secret is shown once
  ip_allow_list text[] not null default '{}',
  status text not null default 'active' check (status in ('active', 'disabled')),
  created_by uuid references users(id),
  created_at timestamptz not null default now(),
  unique (org_id, name)
);

create table app_tokens (
  token_hash text primary key,                -- SM3 of the bearer token
  app_id uuid not null references apps(id),
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index app_tokens_app_idx on app_tokens (app_id);

-- X-Road-style call record (ANCHORS.md §2): four timestamps, sizes, caller, grant, result, error class.
create table call_logs (
  id bigserial primary key,
  request_in_at timestamptz not null,         -- request received from the consumer
  upstream_out_at timestamptz,                -- sent to the data source (mounted table / upstream API)
  upstream_in_at timestamptz,                 -- answer from the data source
  response_out_at timestamptz not null,       -- answer sent to the consumer
  request_bytes int not null default 0,
  response_bytes int not null default 0,
  consumer_org_id uuid,
  app_id uuid,
  resource_id uuid,
  provider_org_id uuid,
  grant_id uuid,
  request_id text,
  ip text,
  params_digest text,                         -- SM3 of the query parameters (no raw personal data in logs)
  rows_returned int not null default 0,
  result text not null check (result in ('success', 'denied', 'error')),
  error_class text,                           -- 参数校验失败 / 无调用权限 / 调用失败 / 超时 / 超限
  error_code text,
  business_ref text
);
create index call_logs_consumer_idx on call_logs (consumer_org_id, request_in_at desc);
create index call_logs_provider_idx on call_logs (provider_org_id, request_in_at desc);
create index call_logs_grant_idx on call_logs (grant_id, request_in_at desc);

-- Rate-limit counters shared by every server process (no in-memory counters).
create table rate_counters (
  key text not null,
  window_start timestamptz not null,
  count int not null,
  primary key (key, window_start)
);
