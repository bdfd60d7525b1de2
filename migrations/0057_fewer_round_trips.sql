-- Fewer round trips on hot write paths (issue #15, redemption throughput;
-- bench/distribution-redeem-profile.ts). Each function does in one call what took two or three
-- statements from the application, and each takes its lock before it reads: a PL/pgSQL
-- function takes a fresh snapshot for every statement in it (READ COMMITTED), so what it reads
-- after the lock is what the previous holder committed. A single SQL statement could not do
-- this: its snapshot is taken before it waits for the lock.

-- The audit appender's lock (the advisory lock every append and every signing takes, number
-- 7020167290640967284, audit-repository.ts) and the next leaf index under it, after naming the
-- request for the change trail (migration 0024) when there is one. Held until the caller's
-- transaction ends, as before.
create function audit_append_lock(request_id text) returns bigint
language plpgsql volatile as $$
begin
  if request_id is not null then
    perform set_config('amparo.request_id', request_id, true);
  end if;
  perform pg_advisory_xact_lock(7020167290640967284);
  return coalesce((select max(leaf_index) from audit_entry), -1) + 1;
end
$$;
comment on function audit_append_lock(text) is
  'Takes the audit appender lock for the rest of the transaction (after setting amparo.request_id when given) and returns the next leaf index: one round trip where three were.';

-- The idempotency key's lock (a transaction-scoped advisory lock on its hash) and the first
-- answer recorded under it, if any (platform/db/idempotency.ts).
create function idempotency_claim(lock_number bigint, claim_scope text, claim_key uuid)
returns table (request_sha256 bytea, response_status smallint, response_body jsonb)
language plpgsql volatile as $$
begin
  perform pg_advisory_xact_lock(lock_number);
  return query
    select r.request_sha256, r.response_status, r.response_body
    from idempotency_record r
    where r.scope = claim_scope and r.key = claim_key;
end
$$;
comment on function idempotency_claim(bigint, text, uuid) is
  'Locks an idempotency key for the rest of the transaction and returns its first answer, if one was recorded: one round trip where two were.';

grant execute on function audit_append_lock(text) to amparo_app;
grant execute on function idempotency_claim(bigint, text, uuid) to amparo_app;
