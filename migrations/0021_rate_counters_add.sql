-- Adds a batch of calls to the gateway's shared rate counters and returns the new totals, in one
-- statement (gateway/rate-limit.ts). A counter is not a record: its commit need not wait for the WAL to
-- reach disk (an operating-system crash may lose the last increments, which lets a few more calls
-- through after a restart), so the function turns the wait off for its own transaction. Call it on its
-- own, never inside a transaction that writes records.
create function rate_counters_add(counts json) returns table (counter_key text, window_from timestamptz, total int)
language plpgsql volatile as $$
begin
  perform set_config('synchronous_commit', 'off', true);
  return query
    insert into rate_counters as r (key, window_start, count)
      select c.key, c.window_start, c.count from json_populate_recordset(null::rate_counters, counts) as c
      on conflict on constraint rate_counters_pkey do update set count = r.count + excluded.count
      returning r.key, r.window_start, r.count;
end $$;
