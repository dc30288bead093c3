-- Sharing (SPEC §6.4–6.5, §7.5, §6.10–6.11): requests, their history, grants, usage records, coordination.

create table share_requests (
  id uuid primary key default gen_random_uuid(),
  no text not null unique,                     -- SQ{yyyyMMdd}{seq}
  resource_id uuid not null references resources(id),
  resource_version int not null,
  provider_org_id uuid not null references orgs(id),
  requester_org_id uuid not null references orgs(id),
  requester_id uuid not null references users(id),
  item_ids text[] not null,
  purpose text not null,
  purpose_detail text,
  duty_basis text not null,
  scenario text,
  mode text not null check (mode in ('api', 'table', 'file')),
  valid_until date not null,
  status text not null check (status in ('pending', 'need_more_info', 'granted', 'rejected', 'withdrawn', 'escalated')),
  share_type int not null,
  due_at timestamptz,
  due_date date,
  paused_at timestamptz,                       -- 补正 pauses the clock once
  pause_used boolean not null default false,
  warned_at timestamptz,
  escalated_at timestamptz,
  extended boolean not null default false,
  decision text,
  decision_reason text,
  decided_by uuid references users(id),
  decided_at timestamptz,
  grant_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index share_requests_requester_idx on share_requests (requester_org_id, created_at desc);
create index share_requests_provider_idx on share_requests (provider_org_id, status);
create index share_requests_due_idx on share_requests (due_at) where status = 'pending';

create table share_request_events (
  id bigserial primary key,
  request_id uuid not null references share_requests(id),
  at timestamptz not null,
  actor_id uuid references users(id),
  action text not null,
  from_status text,
  to_status text,
  comment text
);
create index share_request_events_request_idx on share_request_events (request_id, id);

create table grants (
  id uuid primary key default gen_random_uuid(),
  request_id uuid references share_requests(id),
  resource_id uuid not null references resources(id),
  provider_org_id uuid not null references orgs(id),
  consumer_org_id uuid not null references orgs(id),
  item_ids text[] not null,
  masking jsonb not null default '{}',          -- itemId → rule
  row_filter jsonb not null default '{}',       -- nameEn → {eq|in|prefix|gte/lte}
  mode text not null check (mode in ('api', 'table', 'file')),
  purpose text not null,
  valid_from date not null,
  valid_until date not null,
  lookup_keys text[] not null default '{}',     -- 联机查询: these nameEn must be given on every call
  rate_limit_per_minute int not null default 600,
  daily_quota int not null default 100000,
  status text not null check (status in ('active', 'suspended', 'expired', 'revoked')),
  status_reason text,
  created_by uuid references users(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index grants_consumer_idx on grants (consumer_org_id, resource_id) where status = 'active';
create index grants_provider_idx on grants (provider_org_id);

alter table share_requests add constraint share_requests_grant_fk foreign key (grant_id) references grants(id);

create table usage_records (
  id bigserial primary key,
  grant_id uuid not null references grants(id),
  at timestamptz not null,
  user_id uuid references users(id),
  app_id uuid,
  business_ref text,                            -- 办件号
  purpose text,
  rows int not null default 0
);
create index usage_records_grant_idx on usage_records (grant_id, at desc);

create table coordination_cases (
  id uuid primary key default gen_random_uuid(),
  origin text not null check (origin in ('refused_request', 'not_shareable', 'demand_refusal', 'catalog_dispute', 'objection_dispute')),
  request_id uuid references share_requests(id),
  resource_id uuid references resources(id),
  applicant_org_id uuid not null references orgs(id),
  provider_org_id uuid not null references orgs(id),
  statement text not null,
  status text not null check (status in ('open', 'negotiating', 'authority_coordinating', 'decided', 'closed')),
  decision text check (decision in ('grant_with_conditions', 'uphold_refusal', 'reclassify')),
  decision_text text,
  decided_by uuid references users(id),
  decided_at timestamptz,
  created_by uuid not null references users(id),
  created_at timestamptz not null default now()
);

create table coordination_notes (
  id bigserial primary key,
  case_id uuid not null references coordination_cases(id),
  at timestamptz not null,
  actor_id uuid not null references users(id),
  org_id uuid not null references orgs(id),
  kind text not null check (kind in ('statement', 'negotiation', 'decision')),
  text text not null
);

-- Platform parameters with their defaults (SPEC §7.1: clocks are parameters).
insert into parameters (key, value) values
  ('sharing.providerReplyWorkdays', '10'),
  ('sharing.warnBeforeWorkdays', '2'),
  ('sharing.defaultValidityDays', '365');
