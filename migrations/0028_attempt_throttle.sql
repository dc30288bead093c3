-- The attempt counters (login and gateway/token, platform/auth/attempt-throttle.ts) of ended windows are
-- deleted by time: without this index each purge would read the whole table, which a flood of distinct
-- usernames makes large.
create index login_throttle_window_start on login_throttle (window_start);
