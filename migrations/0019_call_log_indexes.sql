-- The call log's indexes follow how it is read: a consumer's or a provider's calls newest first by id
-- (gateway/calls.ts, which sorted the matching rows by id before), and a grant's successful calls newest
-- first by time, ties by id (its usage records, sharing/grants.ts). Descending reads walk these
-- ascending indexes backwards.
drop index call_logs_consumer_idx;
drop index call_logs_provider_idx;
drop index call_logs_grant_idx;
create index call_logs_consumer_idx on call_logs (consumer_org_id, id);
create index call_logs_provider_idx on call_logs (provider_org_id, id);
create index call_logs_grant_idx on call_logs (grant_id, request_in_at, id);
