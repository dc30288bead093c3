-- Call logs are append-only like audit_events (SPEC §8.4 S12): a call log is the record of a data access
-- and the usage record of its grant (R-9), and its seal in the audit chain only shows tampering after
-- the fact. Nothing in the platform updates or deletes one (audit archiving drops audit partitions, not
-- call logs), so the database refuses it for everyone, the system administrator included.
create function call_logs_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '接口调用记录只允许追加，不能修改或删除（%）', tg_op using errcode = 'insufficient_privilege';
end $$;

create trigger call_logs_refuse_change before update or delete on call_logs for each row execute function call_logs_refuse_change();
create trigger call_logs_refuse_truncate before truncate on call_logs for each statement execute function call_logs_refuse_change();
