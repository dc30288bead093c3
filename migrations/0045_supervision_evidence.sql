-- Evaluation records for M6 and M10 (SPEC §9): the provider stage's due time and end are kept after the
-- stage closes (the workflow clock columns are reset per stage), so a frozen period can be recomputed.
alter table objections add column verify_due_at timestamptz;
alter table objections add column verified_at timestamptz;
alter table demands add column provider_due_at timestamptz;
alter table demands add column provider_done_at timestamptz;

-- Earlier rows: the running stage's clock, else the due time the provider was told when the stage began.
update objections o set verify_due_at = coalesce(
  case when o.stage = 'verify' then o.due_at end,
  (select min(n.due_at) from notifications n where n.kind = 'objection.verify' and n.object_id = o.id::text));
update objections o set verified_at = (
  select min(e.at) from objection_events e where e.objection_id = o.id and e.from_status = 'verifying' and e.action in ('confirm', 'explain'));
update demands d set provider_due_at = coalesce(
  case when d.stage = 'provider' then d.due_at end,
  (select min(n.due_at) from notifications n where n.kind = 'demand.assigned' and n.object_id = d.id::text and n.org_id = d.provider_org_id));
update demands d set provider_done_at = (
  select min(e.at) from demand_events e where e.demand_id = d.id and e.action in ('fulfil', 'decline'));

create index objections_verify_due_idx on objections (verify_due_at) where verify_due_at is not null;
create index demands_provider_due_idx on demands (provider_due_at) where provider_due_at is not null;
