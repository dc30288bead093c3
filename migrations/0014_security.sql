-- Security hardening (SPEC §8.2 S4): TOTP second factor, login rate limiting across processes,
-- sessions restricted to TOTP enrollment.

-- One TOTP secret per user. The secret is SM4-encrypted with a key from the deployment's
-- configuration (never stored here). confirmed_at null = enrollment started, not yet confirmed.
create table user_totp (
  user_id uuid primary key references users(id),
  secret_ciphertext text not null,
  confirmed_at timestamptz,
  -- The newest 30-second time step accepted: a code of that step or older is refused (replay).
  last_used_step bigint not null default 0,
  created_at timestamptz not null default now()
);

-- Failed-login counters per source IP and per username in fixed windows, shared by every server
-- process (no in-memory counters).
create table login_throttle (
  key text not null,
  window_start timestamptz not null,
  failures int not null,
  primary key (key, window_start)
);

-- 'totp_enrollment': a privileged user who must use TOTP but has not enrolled yet may only enroll.
alter table sessions add column scope text not null default 'full' check (scope in ('full', 'totp_enrollment'));
