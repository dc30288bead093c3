-- Masking that cannot be undone (issue 13 §3).

-- The SM3 pseudonym secret is now derived from GOVSHARE_DATA_KEY in memory (platform/masking/
-- pseudonym-secret.ts); the clear copy earlier versions kept here is removed.
delete from parameters where key = 'masking.pseudonymSecret';

-- Apps the gateway caught missing on many lookups in a short time (gateway/lookup-probes.ts), for the
-- security administrator to review. One open flag per app: later bursts raise its count, not new rows.
create table gateway_app_flags (
  id uuid primary key default gen_random_uuid(),
  app_id uuid not null references apps(id),
  org_id uuid not null references orgs(id),
  reason text not null check (reason in ('lookup_misses')),
  misses int not null,                        -- misses in the window that raised the flag (the threshold)
  times int not null default 1,               -- bursts seen while the flag was open
  first_at timestamptz not null,
  last_at timestamptz not null,
  cleared_at timestamptz,
  cleared_by uuid references users(id),
  clear_note text
);
create unique index gateway_app_flags_open_idx on gateway_app_flags (app_id) where cleared_at is null;
create index gateway_app_flags_last_idx on gateway_app_flags (last_at desc);
