-- A supervisor may clear an offline conflict in favour of the later receipt (issue #15, point 5):
-- the conflicting receipt is then counted (a redemption written when the conflict is cleared,
-- named here), and the redemptions of the entitlement that took it first — those made after the
-- later receipt's snapshot — are reversed: each gets a reversal row, its quantities return to the
-- entitlement, and it is left out of the point's reconciliation and the statistics. The goods of
-- a reversed hand-over stay out of stock when they did leave the point; otherwise they return to
-- stock as a count correction. Both tables stay append-only.
alter table offline_conflict_resolution drop constraint offline_conflict_resolution_decision_check;
alter table offline_conflict_resolution add constraint offline_conflict_resolution_decision_check
  check (decision in ('counted_stands', 'later_stands'));
alter table offline_conflict_resolution add column redemption_id uuid references redemption (id);
alter table offline_conflict_resolution add constraint offline_conflict_resolution_later_counted
  check ((decision = 'later_stands') = (redemption_id is not null));
comment on column offline_conflict_resolution.decision is 'counted_stands: the receipt counted first stays, this one counts nowhere; later_stands: this one counts, the earlier redemptions are reversed.';
comment on column offline_conflict_resolution.goods_left is 'counted_stands: this receipt''s goods did leave (written off as a loss); later_stands: the reversed hand-overs'' goods did leave (they stay out of stock).';
comment on column offline_conflict_resolution.redemption_id is 'later_stands: the redemption written for this receipt when the conflict was cleared.';

-- The card an offline receipt names, kept from now on so a receipt counted when its conflict is
-- cleared is a card redemption like any other (receipts synced before have none: null).
alter table offline_receipt add column credential_id bytea;
comment on column offline_receipt.credential_id is 'The card the device checked (credential id), as the signed receipt names it; null for receipts synced before migration 0074.';

create table redemption_reversal (
  redemption_id uuid primary key references redemption (id),
  receipt_id uuid not null references offline_conflict_resolution (receipt_id),
  goods_returned boolean not null,
  reversed_by uuid not null,
  reversed_at timestamptz not null
);
create index redemption_reversal_receipt_idx on redemption_reversal (receipt_id);
comment on table redemption_reversal is 'A redemption that no longer counts: reversed when a supervisor cleared an offline conflict in favour of the later receipt; append-only.';
comment on column redemption_reversal.redemption_id is 'The reversed redemption.';
comment on column redemption_reversal.receipt_id is 'The later offline receipt whose conflict resolution reversed it.';
comment on column redemption_reversal.goods_returned is 'True when its goods had not left the point and returned to stock (count correction).';
comment on column redemption_reversal.reversed_by is 'The supervisor.';
comment on column redemption_reversal.reversed_at is 'When.';

create trigger redemption_reversal_immutable before update or delete on redemption_reversal
  for each row execute function distribution_history_immutable();
create trigger redemption_reversal_no_truncate before truncate on redemption_reversal
  for each statement execute function distribution_history_immutable();

grant select, insert on redemption_reversal to amparo_app;
