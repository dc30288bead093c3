-- Takes the audit chain's advisory lock and then reads where the chain continues, in one round trip
-- (every append does both; the gateway's call journal appends once per group commit). The function is
-- VOLATILE, so in READ COMMITTED its second query takes a fresh snapshot and sees the append that
-- held the lock before: the same guarantee as the two statements it replaces. Same order of sources as
-- before it (chainHead in chain.ts): the newest online event, else the newest archived segment, else genesis.
create function audit_chain_lock_head(out hash text, out at timestamptz, out online boolean) language plpgsql volatile as $$
begin
  perform pg_advisory_xact_lock(7370701);
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
