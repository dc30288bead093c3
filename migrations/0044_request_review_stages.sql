-- Share requests under the GP24 mode (SPEC §7.1, §7.5): the authority's compliance review before the
-- provider, a request returned to its requester, and the reply clock the review chose for the provider.
alter table share_requests drop constraint share_requests_status_check;
alter table share_requests add constraint share_requests_status_check
  check (status in ('compliance_review', 'returned', 'pending', 'need_more_info', 'granted', 'rejected', 'withdrawn', 'escalated'));

-- The provider's reply clock in working days and why: 'standard' (the tenant's reply deadline) or
-- 'mounted' (GP24's short clock, only for data already mounted when the authority passed the request).
alter table share_requests add column reply_workdays int check (reply_workdays > 0);
alter table share_requests add column reply_clock text check (reply_clock in ('standard', 'mounted'));
alter table share_requests add column reviewed_by uuid references users(id);
alter table share_requests add column reviewed_at timestamptz;

update share_requests set reply_clock = 'standard' where due_date is not null;

-- The short reply clock used to be a tenant-wide setting of the reply deadline; it now applies to
-- mounted data after the compliance review only, so a stored 5 falls back to the standard deadline.
delete from parameters where key = 'sharing.providerReplyWorkdays' and value = '5'::jsonb;
