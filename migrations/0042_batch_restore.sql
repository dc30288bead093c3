-- A replaced batch is kept for a period (parameter mounts.restoreDays) so its department can restore it.
-- replaced_at is set on the one batch kept per mount (the one last replaced) and cleared when a newer
-- batch takes its place; the start-up cleanup drops the tables of replaced batches not kept, or kept too long.
alter table mount_batches add column replaced_at timestamptz;
-- What the mount needs to serve the batch again: its columns as mounted, the items its file had and its data time.
alter table mount_batches add column columns jsonb;
alter table mount_batches add column item_ids jsonb;
alter table mount_batches add column last_data_time timestamptz;
create index mount_batches_kept on mount_batches (mount_id) where replaced_at is not null;
