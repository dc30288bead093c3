-- Grants and the data gateway (SPEC §7.5 SUSPENDED, §7.10 binding reclassification, §8.3 S10 SM4 at rest).

-- A coordination decision that reclassifies an entry (R-6) is a third trigger of the 15-working-day
-- catalog update clock, next to law revisions and changes of functions.
alter table catalog_change_events drop constraint catalog_change_events_kind_check;
alter table catalog_change_events add constraint catalog_change_events_kind_check
  check (kind in ('law_revision', 'function_change', 'coordination_decision'));

-- The coordination case that opened a change event (null for the other kinds).
alter table catalog_change_events add column case_id uuid references coordination_cases(id);

-- When and by whom a grant last changed status (suspend, resume, revoke, expire); the reason stays in
-- status_reason and every change is in the audit chain.
alter table grants add column status_changed_at timestamptz;
alter table grants add column status_changed_by uuid references users(id);

-- Gateway lookups by consumer and resource whatever the grant's status (NO_GRANT vs GRANT_INACTIVE in one query).
create index grants_consumer_resource_idx on grants (consumer_org_id, resource_id, created_at desc);
