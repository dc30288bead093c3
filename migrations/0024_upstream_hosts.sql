-- Upstream hosts the platform may call (SSRF, issue 13 §4), kept by the security administrator
-- (SPEC §2.2 SEC_ADMIN: IP allow-lists and security policy). An upstream API is registered and called
-- only when its host is covered by an entry here. Changes are audited; a removed entry is deleted, its
-- history stays in the audit chain.
create table upstream_hosts (
  id uuid primary key default gen_random_uuid(),
  -- Canonical form: a lower-case host name, '*.' + domain, an IP address or a CIDR range.
  host text not null check (length(host) between 1 and 255),
  -- null = any port.
  port int check (port between 1 and 65535),
  note text not null check (length(note) between 1 and 200),
  created_by uuid references users(id),
  created_at timestamptz not null default now()
);

create unique index upstream_hosts_host_port on upstream_hosts (host, coalesce(port, 0));
