-- A gateway call committed with others is sealed by one event that lists its request id in
-- detail.requestIds (gateway/call-journal.ts). The audit search by request id looks there as well as in
-- request_id; this index keeps that search an index lookup. Only group seals have the key, so the
-- other events add no entries.
create index audit_events_request_ids_idx on audit_events using gin ((detail -> 'requestIds') jsonb_path_ops);
