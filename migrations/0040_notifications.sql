-- 站内消息 (SPEC §6.11): one row per clock or event a user (or every user of an organisation) must act on.
-- The base table is shared with the objections/demands work, which may create it first: `if not exists`
-- keeps either order of the two migrations valid. Columns added here are added with `if not exists` too.
create table if not exists notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid null,
  org_id uuid null,
  kind text not null,
  title text not null,
  object_type text not null,
  object_id text not null,
  due_at timestamptz null,
  created_at timestamptz not null default now(),
  read_at timestamptz null
);

-- A clock's warning is sent once per stage (kind + object + due time): a job that runs twice, or two
-- server processes, insert it once.
alter table notifications add column if not exists dedupe_key text null;
create unique index if not exists notifications_dedupe on notifications (dedupe_key) where dedupe_key is not null;
create index if not exists notifications_user_unread on notifications (user_id, created_at desc) where read_at is null;
create index if not exists notifications_org_created on notifications (org_id, created_at desc);

-- An organisation-wide message is read per user: reading it for oneself does not hide it from colleagues.
create table if not exists notification_reads (
  notification_id uuid not null references notifications (id) on delete cascade,
  user_id uuid not null references users (id),
  read_at timestamptz not null,
  primary key (notification_id, user_id)
);

-- Deadlines per tenant (SPEC §7.1: "all deadlines are parameters per tenant"). '' is the city-wide value
-- every county inherits unless it sets its own; a county's row is keyed by its region code.
alter table parameters add column if not exists tenant text not null default '';
alter table parameters drop constraint if exists parameters_pkey;
alter table parameters add primary key (key, tenant);
