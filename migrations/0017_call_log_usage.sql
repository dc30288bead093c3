-- A successful gateway call's call log is its usage record (R-9: grant, app, 办件号, rows, time), and the
-- audit chain now seals call logs in batches instead of holding one event per call. The usage records
-- the gateway wrote beside each call until now repeat their call logs: remove those copies, so no use
-- is listed twice. Usage records of other channels (no matching call log) stay.
delete from usage_records u
 using call_logs c
 where c.result = 'success'
   and c.grant_id = u.grant_id
   and c.app_id = u.app_id
   and c.response_out_at = u.at
   and u.user_id is null;
