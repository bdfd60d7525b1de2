-- One claim per cash entitlement (issue #16, point 4): an entitlement is paid into a wallet
-- (disbursement) or by a bank payout, never both. Whichever pays first inserts the claim; the
-- primary key makes two at the same instant wait for each other, and the second finds it
-- taken. A payout whose instruction the ledger refused, the bank rejected or returned no
-- longer holds its claim: another payout, or a disbursement, takes it over.

create table payment_entitlement_claim (
  entitlement_id uuid primary key,
  channel text not null check (channel in ('wallet', 'payout')),
  payout_instruction_id uuid,
  claimed_at timestamptz not null default now(),
  check ((channel = 'payout') = (payout_instruction_id is not null))
);
comment on table payment_entitlement_claim is 'Which way a cash entitlement is paid: into the wallet by a disbursement, or by a payout instruction. One row per entitlement, taken by whichever pays first.';
comment on column payment_entitlement_claim.entitlement_id is 'The entitlement (programs module) being paid.';
comment on column payment_entitlement_claim.channel is 'wallet (a disbursement chunk credits it) or payout (a bank or mobile-money payment).';
comment on column payment_entitlement_claim.payout_instruction_id is 'For a payout: the instruction paying it (released when that instruction is refused, rejected or returned).';
comment on column payment_entitlement_claim.claimed_at is 'When it was claimed, or last taken over.';

-- What was paid or reserved before this migration holds its claim.
insert into payment_entitlement_claim (entitlement_id, channel, payout_instruction_id)
select distinct on (reference_id) reference_id, 'payout', id
  from payout_instruction
 where reference_kind = 'entitlement' and status not in ('refused', 'rejected', 'returned')
 order by reference_id, updated_at desc;
insert into payment_entitlement_claim (entitlement_id, channel)
select distinct reference_id, 'wallet'
  from ledger_transfer
 where reason = 'disbursement' and reference_kind = 'entitlement' and result = 'ok'
on conflict (entitlement_id) do nothing;

grant select, insert, delete on payment_entitlement_claim to amparo_app;
grant update (channel, payout_instruction_id, claimed_at) on payment_entitlement_claim to amparo_app;
