-- Partial refunds of a merchant payment (issue #16, point 5). A payment could be refunded once,
-- in full (merchant_refund keyed by the payment). It may now be refunded several times, each
-- refund a part of it, never more in total than was paid: one row per refund, keyed by the
-- client's refund id (the idempotency key), with its amount and how it was split between the
-- payer's wallet and the subsidising program's funding account. The row is written in the
-- ledger transaction of its transfers (src/modules/payments/merchants/merchant-refunder.ts),
-- so a row exists exactly when its money moved.

alter table merchant_refund drop constraint merchant_refund_pkey;
alter table merchant_refund drop constraint merchant_refund_refund_id_key;
alter table merchant_refund add primary key (refund_id);
create index merchant_refund_request on merchant_refund (request_id);

alter table merchant_refund
  add column seq bigint generated always as identity,
  add column amount_minor bigint,
  add column payer_minor bigint,
  add column subsidy_minor bigint;

-- A refund written before this migration was the whole payment.
update merchant_refund f
   set amount_minor = p.amount_minor, payer_minor = p.payer_minor, subsidy_minor = p.subsidy_minor
  from merchant_payment p
 where p.request_id = f.request_id;

alter table merchant_refund
  alter column amount_minor set not null,
  alter column payer_minor set not null,
  alter column subsidy_minor set not null,
  add constraint merchant_refund_amount_check check (amount_minor > 0),
  add constraint merchant_refund_parts_check check (
    payer_minor >= 0 and subsidy_minor >= 0 and payer_minor + subsidy_minor = amount_minor
  );

comment on table merchant_refund is 'A refund of a merchant payment, in full or in part, by new ledger transfers (merchant → wallet, merchant → funding). Several per payment, never more in total than was paid; written in the ledger transaction of its transfers. Append-only.';
comment on column merchant_refund.request_id is 'The payment refunded (its request id).';
comment on column merchant_refund.refund_id is 'The client''s id of the refund (the idempotency key); its ledger transfer ids derive from it. Refunds written before migration 0086 derive theirs from the request id.';
comment on column merchant_refund.seq is 'The order refunds were written in (receipts list them so; refunded_at can tie).';
comment on column merchant_refund.amount_minor is 'The amount refunded, in minor units.';
comment on column merchant_refund.payer_minor is 'What went back to the payer''s wallet.';
comment on column merchant_refund.subsidy_minor is 'What went back to the program''s funding account: the program''s share of the payment, rounded down over the refunds so far (payments/merchants/README.md, "Refunds").';
