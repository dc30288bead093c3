-- Supervision, first half (SPEC §6.8–6.10, §7.8–7.10, R-10, R-11): in-platform notifications, data
-- objections (数据异议), demand lists (供需对接), the data element registry (一数一源) and the
-- remaining coordination states.

-- Events a user or a department must act on or know about (站内消息). One row per event; the
-- notification centre reads and marks them.
create table notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid null references users(id),
  org_id uuid null references orgs(id),
  kind text not null,
  title text not null,
  object_type text not null,
  object_id text not null,
  due_at timestamptz null,
  created_at timestamptz not null default now(),
  read_at timestamptz null
);
create index notifications_user_idx on notifications (user_id, created_at desc) where user_id is not null;
create index notifications_org_idx on notifications (org_id, created_at desc) where org_id is not null;

-- Objections (SPEC §6.8, §7.8): a receiving department questions records of a provider's entry.
create table objections (
  id uuid primary key default gen_random_uuid(),
  no text not null unique,                       -- YY-yyyymmdd-nnnn, shown to people
  resource_id uuid not null references resources(id),
  provider_org_id uuid not null references orgs(id),
  raiser_org_id uuid not null references orgs(id),
  raised_by uuid not null references users(id),
  grant_id uuid not null references grants(id),  -- the grant under which the raiser received the data
  item_ids text[] not null,
  record_keys text[] not null,                   -- values of the entry's primary key item(s)
  type text not null check (type in ('error', 'missing', 'inconsistent', 'outdated', 'format', 'other')),
  description text not null,
  status text not null check (status in ('raised', 'dismissed', 'verifying', 'correcting', 'resolved', 'explained', 'coordination')),
  flagged boolean not null default false,        -- the records show 有异议 while true
  stage text check (stage in ('accept', 'verify')),
  due_date date,
  due_at timestamptz,
  warned_at timestamptz,
  escalated_at timestamptz,
  response text,                                 -- dismissal reason, provider's explanation or correction note
  correcting_at timestamptz,
  correction_batch_id uuid,                      -- the batch that corrected the data at the source
  case_id uuid references coordination_cases(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (cardinality(item_ids) >= 1 and cardinality(record_keys) >= 1)
);
create index objections_resource_flagged_idx on objections (resource_id) where flagged;
create index objections_due_idx on objections (due_at) where due_at is not null and escalated_at is null;
create index objections_raiser_idx on objections (raiser_org_id, created_at desc);
create index objections_provider_idx on objections (provider_org_id, created_at desc);

-- One row per flagged record key, so the gateway finds the flags of the rows it returns by index.
create table objection_records (
  objection_id uuid not null references objections(id),
  resource_id uuid not null references resources(id),
  record_key text not null,
  primary key (objection_id, record_key)
);
create index objection_records_lookup_idx on objection_records (resource_id, record_key);

create table objection_evidence (
  id uuid primary key default gen_random_uuid(),
  objection_id uuid not null references objections(id),
  file_name text not null,
  content_type text not null,
  size_bytes int not null,
  sm3 text not null,
  content bytea not null,
  created_at timestamptz not null default now()
);
create index objection_evidence_idx on objection_evidence (objection_id);

create table objection_events (
  id bigserial primary key,
  objection_id uuid not null references objections(id),
  at timestamptz not null,
  actor_id uuid references users(id),
  action text not null,
  from_status text,
  to_status text not null,
  comment text
);
create index objection_events_idx on objection_events (objection_id, id);

-- Demands (SPEC §6.9, §7.9): data a department needs that the catalog does not offer.
create table demands (
  id uuid primary key default gen_random_uuid(),
  no text not null unique,
  requester_org_id uuid not null references orgs(id),
  created_by uuid not null references users(id),
  title text not null,
  description text not null,
  wanted_items text[] not null,
  purpose text not null,
  duty_basis text not null,
  urgency text not null default 'normal' check (urgency in ('normal', 'urgent')),
  suggested_provider_org_id uuid references orgs(id),
  app_ids uuid[] not null default '{}',          -- the requester's apps a resulting share request names
  status text not null check (status in ('submitted', 'assigned', 'accepted', 'fulfilled', 'declined', 'matched', 'rejected')),
  provider_org_id uuid references orgs(id),
  matched_resource_id uuid references resources(id),
  resource_id uuid references resources(id),     -- the entry that fulfilled the demand
  request_id uuid references share_requests(id), -- the share request opened for the requester
  case_id uuid references coordination_cases(id),
  response text,                                 -- triage note, rejection reason, decline reason
  stage text check (stage in ('triage', 'provider')),
  due_date date,
  due_at timestamptz,
  warned_at timestamptz,
  escalated_at timestamptz,
  basis text,                                    -- 负面清单: the legal basis of a confirmed 不予共享
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index demands_requester_idx on demands (requester_org_id, created_at desc);
create index demands_provider_idx on demands (provider_org_id, created_at desc);
create index demands_due_idx on demands (due_at) where due_at is not null and escalated_at is null;

create table demand_events (
  id bigserial primary key,
  demand_id uuid not null references demands(id),
  at timestamptz not null,
  actor_id uuid references users(id),
  action text not null,
  from_status text,
  to_status text not null,
  comment text
);
create index demand_events_idx on demand_events (demand_id, id);

-- 一数一源 (R-10): the authority's registry of data elements and their designated source department.
create table data_elements (
  id uuid primary key default gen_random_uuid(),
  name text not null unique,
  standard_ref text,                              -- e.g. GB 11643-1999
  aliases text[] not null default '{}',
  source_org_id uuid not null references orgs(id),
  note text,
  created_by uuid references users(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- The authority's handling of a duplicate-collection case (an item of a department other than the
-- element's source): open until decided.
create table element_cases (
  id uuid primary key default gen_random_uuid(),
  element_id uuid not null references data_elements(id),
  resource_id uuid not null references resources(id),
  item_id text not null,
  item_name text not null,
  org_id uuid not null references orgs(id),
  status text not null default 'open' check (status in ('open', 'request_instead', 'exception')),
  note text,
  decided_by uuid references users(id),
  decided_at timestamptz,
  created_at timestamptz not null default now(),
  unique (element_id, resource_id, item_id)
);
create index element_cases_open_idx on element_cases (status, created_at desc);

-- Coordination (SPEC §7.10): escalation beyond the city, conditions of a decision, closing, and the
-- objection or demand a case came from.
alter table coordination_cases drop constraint coordination_cases_status_check;
alter table coordination_cases add constraint coordination_cases_status_check
  check (status in ('open', 'negotiating', 'authority_coordinating', 'escalated_up', 'decided', 'closed'));
alter table coordination_cases add column conditions text;
alter table coordination_cases add column objection_id uuid references objections(id);
alter table coordination_cases add column demand_id uuid references demands(id);
alter table coordination_cases add column closed_at timestamptz;
alter table coordination_cases add column closed_by uuid references users(id);
alter table coordination_notes drop constraint coordination_notes_kind_check;
alter table coordination_notes add constraint coordination_notes_kind_check
  check (kind in ('statement', 'negotiation', 'decision', 'escalation', 'closing'));
