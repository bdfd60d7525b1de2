-- A return read from a statement waits for a second finance officer (the review of session 17).
-- A booked credit carrying a payout's end-to-end id and amount was a return at once: the money
-- moved settlement -> suspense and the payment turned `returned`, which releases its entitlement
-- (payment_entitlement_claim, migration 0071), so one officer with `payout.reconcile` could upload
-- a hand-made camt.053 or MT940 for payouts already settled and pay the same entitlements again
-- in a new batch, to the very account the approver's payee check no longer flags. Now:
--   * the statement's credit moves the money to suspense as before, but the payment turns
--     `return_pending`, which still holds its entitlement;
--   * a second finance officer, never the one who uploaded the file that reported the return,
--     confirms it (a row here); only then is the payment `returned` and the entitlement payable.
-- The database refuses both shortcuts: a confirmation by the file's uploader (the trigger below
-- reads the uploader from the file itself, not from the application), and a payment turned
-- `returned` without a confirmation.

alter table payout_instruction drop constraint payout_instruction_status_check;
alter table payout_instruction add constraint payout_instruction_status_check check (
  status in ('pending', 'refused', 'accepted', 'rejected', 'settled', 'return_pending', 'returned', 'cancelled')
);
comment on column payout_instruction.status is 'pending (reserved), refused (the ledger refused the reservation; not in the file), accepted (pain.002 accepted: posted), rejected (pain.002 rejected: voided), settled (the statement shows it paid), return_pending (a statement shows it given back: in suspense, its entitlement still held until a second finance officer confirms), returned (the return confirmed: in suspense, its entitlement payable again), cancelled (its person died, was merged away or erased before the file was sent: voided, not in the file).';

create table payout_return_confirmation (
  instruction_id uuid primary key references payout_instruction (id),
  suspense_id uuid not null references payout_suspense (id),
  reported_by uuid,
  confirmed_by uuid not null,
  confirmed_at timestamptz not null default now(),
  constraint payout_return_confirmer_not_reporter check (confirmed_by is distinct from reported_by)
);
comment on table payout_return_confirmation is 'A second finance officer''s confirmation of a payout return read from a bank statement; until it exists the payment is return_pending and its entitlement stays paid. One per payment, never changed.';
comment on column payout_return_confirmation.instruction_id is 'The returned payment.';
comment on column payout_return_confirmation.suspense_id is 'The suspense row (and ledger transfer) of the return.';
comment on column payout_return_confirmation.reported_by is 'Who uploaded the file that reported the return (copied from it by the trigger; null for a system job).';
comment on column payout_return_confirmation.confirmed_by is 'The finance officer who confirmed it: never the uploader.';
comment on column payout_return_confirmation.confirmed_at is 'When.';

create function payout_return_confirmation_reporter() returns trigger
  language plpgsql
as $$
begin
  select f.received_by into new.reported_by
    from payout_suspense s join payout_bank_file f on f.id = s.bank_file_id
   where s.id = new.suspense_id and s.kind = 'returned' and s.instruction_id = new.instruction_id;
  if not found then
    raise exception 'suspense row % is no return of payout %', new.suspense_id, new.instruction_id
      using errcode = '23514';
  end if;
  return new;
end;
$$;
comment on function payout_return_confirmation_reporter() is 'Fills a return confirmation''s reported_by from the bank file that reported the return, so the check that the confirmer is someone else does not rest on the application''s word.';
create trigger payout_return_confirmation_reporter before insert on payout_return_confirmation
  for each row execute function payout_return_confirmation_reporter();

create function payout_return_needs_confirmation() returns trigger
  language plpgsql
as $$
begin
  if new.status = 'returned' and old.status is distinct from 'returned' and not exists (
    select 1 from payout_return_confirmation c where c.instruction_id = new.id
  ) then
    raise exception 'payout % turns returned only once a second finance officer confirms the return', new.id
      using errcode = '23514';
  end if;
  return new;
end;
$$;
comment on function payout_return_needs_confirmation() is 'Refuses a payment turned returned (its entitlement released) without a second finance officer''s confirmation.';
create trigger payout_instruction_return_confirmed before update of status on payout_instruction
  for each row execute function payout_return_needs_confirmation();

grant select, insert on payout_return_confirmation to amparo_app;
