-- File delivery (SPEC §6.7, §8.3 S11, §8.4 S12): every download of a 文件 grant's file is one row here,
-- written in the same transaction as its audit event and usage record. The id is the trace mark written
-- into the delivered copy, so a leaked copy leads back to the consumer, the user and the time.

create table file_downloads (
  id uuid primary key default gen_random_uuid(),
  grant_id uuid not null references grants(id),
  resource_id uuid not null references resources(id),
  provider_org_id uuid not null references orgs(id),
  consumer_org_id uuid not null references orgs(id),
  user_id uuid references users(id),
  mount_id uuid not null references mounts(id),
  file_version int not null,
  file_name text not null,
  -- SM3 of the stored version and of the copy handed out (the marked bytes)
  source_sm3 text not null,
  delivered_sm3 text not null,
  -- how the mark went in: metadata of the format, a comment line, or only the log (formats without a place)
  mark_kind text not null check (mark_kind in ('core_properties', 'pdf_info', 'comment_line', 'log_only')),
  purpose text not null,
  business_ref text,
  at timestamptz not null
);
create index file_downloads_grant_idx on file_downloads (grant_id, at desc);
create index file_downloads_provider_idx on file_downloads (provider_org_id, at desc);
