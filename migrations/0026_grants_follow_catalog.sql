-- Grants keep to the catalog and to their holder (SPEC §7.2 effect of a change on live grants, §7.6, §7.10).

-- The apps a request names and its grant belongs to (SPEC §7.6 "bind the grant to the consumer's
-- AppCredential"). Grants issued before this migration are bound to the apps their organisation had
-- then, so no call that worked stops working; new grants carry only the apps their request names.
alter table share_requests add column app_ids uuid[] not null default '{}';
alter table grants add column app_ids uuid[] not null default '{}';
update grants g set app_ids = coalesce((select array_agg(a.id order by a.created_at) from apps a where a.org_id = g.consumer_org_id), '{}');
update share_requests s set app_ids = g.app_ids from grants g where g.id = s.grant_id;
-- Requests still open are bound the same way, so approving one does not issue a grant no app can use.
update share_requests s set app_ids = coalesce((select array_agg(a.id order by a.created_at) from apps a where a.org_id = s.requester_org_id), '{}')
  where s.grant_id is null and s.mode = 'api';

-- Items of a grant that stopped flowing because the provider did not reconfirm them after the catalog
-- made them more restrictive (无条件 → 有条件). The grant's other items keep flowing.
alter table grants add column suspended_item_ids text[] not null default '{}';

-- What happened to a grant because its catalog entry changed, as the consumer sees it on the grant
-- (items dropped, reconfirmation asked, items suspended, entry withdrawn). Kept so a notification
-- centre can be built on it.
create table grant_events (
  id bigserial primary key,
  grant_id uuid not null references grants(id),
  at timestamptz not null,
  kind text not null check (kind in ('items_dropped', 'reconfirmation_opened', 'reconfirmed', 'items_suspended', 'entry_withdrawn')),
  resource_version int,
  item_ids text[] not null default '{}',
  text text not null,
  actor_id uuid references users(id)
);
create index grant_events_grant_idx on grant_events (grant_id, id);

-- The provider's reconfirmation of grant items the catalog made more restrictive: due 10 working days
-- after publication; an open one past its due time suspends its items (sharing.lapse-reconfirmations).
create table grant_reconfirmations (
  id uuid primary key default gen_random_uuid(),
  grant_id uuid not null references grants(id),
  provider_org_id uuid not null references orgs(id),
  resource_version int not null,
  item_ids text[] not null,
  due_date date not null,
  due_at timestamptz not null,
  status text not null check (status in ('open', 'confirmed', 'lapsed', 'superseded')),
  decided_by uuid references users(id),
  decided_at timestamptz,
  created_at timestamptz not null default now()
);
create index grant_reconfirmations_grant_idx on grant_reconfirmations (grant_id, created_at desc);
create index grant_reconfirmations_due_idx on grant_reconfirmations (due_at) where status = 'open';

-- A binding reclassification (SPEC §7.10) names the share type decided, for the whole entry or for
-- some of its items; its update task closes only when a published version meets it.
alter table catalog_review_tasks add column required_share_type smallint check (required_share_type in (1, 2));
alter table catalog_review_tasks add column required_item_ids text[];
