-- An offline conflict holds only what is in dispute (review finding F1, point 3). Until now a
-- conflict flagged the whole entitlement (`conflict_flagged`): nothing more of it could be taken
-- online or at any point until a supervisor decided, with no deadline, so one receipt that no
-- longer fitted blocked every item the person still had. Now the sync holds, per item the
-- receipt names, what the receipt asks of what still remains — min(asked, remaining): the
-- quantity that the receipt, if it stands, would take — by taking it out of the entitlement's
-- balance, and keeps it on the receipt. The entitlement keeps the state its balances imply, so
-- the rest is handed over as usual, online and offline. Clearing the conflict gives the hold
-- back (`counted_stands`) or counts the receipt with it (`later_stands`).
--
-- Null for counted receipts, and for the conflicts synced before this migration: those flagged
-- their entitlement whole, and it stays `conflict_flagged` until they are cleared, as before.

alter table offline_receipt add column held jsonb
  check (held is null or jsonb_typeof(held) = 'array');
comment on column offline_receipt.held is 'A conflict''s hold: [{item, quantity}] taken out of the entitlement''s balance until the conflict is cleared (empty when nothing remained of what it asks); null for counted receipts and for conflicts synced before migration 0140, which flag the whole entitlement.';
