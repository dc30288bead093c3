-- The exchange console (issue 14): a node can be revoked (its credential and any enrolment token stop working,
-- the row stays for the record of its runs), and a job can be paused without stopping or purging it.

alter table exchange_nodes add column revoked_at timestamptz;
alter table exchange_nodes add column revoked_by uuid references users(id);

alter table exchange_jobs drop constraint exchange_jobs_status_check;
alter table exchange_jobs add constraint exchange_jobs_status_check
  check (status in ('draft', 'verifying', 'active', 'paused', 'stopped', 'purging', 'purged'));
