-- 外网 → 内网 catalog transfer (SPEC §3, §8.1): the 内网 instance keeps what it imported from signed
-- one-way exports of the 外网 catalog. An export is imported once (export id), an entry version once.

create table zone_imports (
  export_id uuid primary key,
  source_instance text not null,
  key_id text not null,
  exported_at timestamptz not null,
  entries int not null,
  imported int not null,
  skipped int not null,
  file_sm3 text not null,
  imported_at timestamptz not null default now()
);

-- The 外网 catalog as imported: read-only copies, separate from the 内网 instance's own catalog.
create table zone_catalog_entries (
  source_instance text not null,
  source_resource_id uuid not null,
  version int not null,
  export_id uuid not null references zone_imports(export_id),
  code text,
  name text not null,
  provider_name text not null,
  content jsonb not null,
  imported_at timestamptz not null default now(),
  primary key (source_instance, source_resource_id, version)
);
