-- The gateway's call journal (gateway/call-journal.ts) writes a batch of call logs and the audit events
-- sealing them in two statements instead of a five-round-trip transaction: it reserves the call logs' ids
-- and reads where the audit chain ends (no lock), chains the seals in the application (SM3), then commits
-- both with call_journal_commit, which checks under the chain's lock that nobody appended meanwhile.

-- Where the audit chain continues: the newest online event, else the newest archived segment, else
-- genesis (the body audit_chain_lock_head had; that function now calls this one after its lock).
create function audit_chain_head(out hash text, out at timestamptz, out online boolean) language plpgsql stable as $$
begin
  select e.hash, e.at, true into hash, at, online from audit_events e order by e.id desc limit 1;
  if found then
    return;
  end if;
  select a.last_hash, a.range_to, false into hash, at, online from audit_archives a order by a.id desc limit 1;
  if found then
    return;
  end if;
  hash := repeat('0', 64);
  at := null;
  online := false;
end $$;

-- VOLATILE: in READ COMMITTED the head query after the lock takes a fresh snapshot and sees the append
-- that held the lock before (migration 0018).
create or replace function audit_chain_lock_head(out hash text, out at timestamptz, out online boolean) language plpgsql volatile as $$
begin
  perform pg_advisory_xact_lock(7370701);
  select h.hash, h.at, h.online into hash, at, online from audit_chain_head() h;
end $$;

-- n call-log ids and the chain's head as it is now, in one round trip.
create function call_journal_reserve(n int, out ids bigint[], out hash text, out at timestamptz, out online boolean) language plpgsql volatile as $$
begin
  ids := array(select nextval('call_logs_id_seq') from generate_series(1, n));
  select h.hash, h.at, h.online into hash, at, online from audit_chain_head() h;
end $$;

-- Under the chain's lock: when the chain still ends at expected_head, inserts the call logs (every column,
-- ids included) and then the audit events (chained after expected_head by the caller; their ids follow
-- the batch's order, the order the verifier walks) and returns true. Otherwise it writes nothing and
-- returns false: the caller chains the seals again after the new head. Either way one statement, so the
-- call logs never commit without their seals.
create function call_journal_commit(expected_head text, call_logs_batch json, audit_batch json) returns boolean language plpgsql volatile as $$
begin
  if (select h.hash from audit_chain_lock_head() h) is distinct from expected_head then
    return false;
  end if;
  insert into call_logs select * from json_populate_recordset(null::call_logs, call_logs_batch);
  insert into audit_events (at, actor_id, app_id, org_id, roles, action, object_type, object_id, result, ip, request_id, grant_id, detail, prev_hash, hash)
    select e.at, e.actor_id, e.app_id, e.org_id, e.roles, e.action, e.object_type, e.object_id, e.result, e.ip, e.request_id, e.grant_id, e.detail, e.prev_hash, e.hash
    from json_populate_recordset(null::audit_events, audit_batch) with ordinality as e
    order by e.ordinality;
  return true;
end $$;
