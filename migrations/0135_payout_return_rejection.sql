-- A forged return can be rejected (issue #16, the review of session 17). A return read from a
-- statement waits as `return_pending` for a second finance officer (migration 0131), who could
-- only confirm it: a return the bank never made (a hand-made statement) stayed pending forever,
-- its money in suspense. Now that officer — never the one who uploaded the statement — may
-- reject it with a reason: the payment goes back to the status it had before the statement
-- reported it, and the statement's move of its money into suspense is reversed by a new ledger
-- transfer (suspense -> settlement; the first is never edited). The database refuses the
-- uploader's rejection (the trigger of 0131 copies the uploader from the file), and a payment
-- leaving `return_pending` other than by a confirmation or a rejection.

alter table payout_suspense add column returned_from text
  check (returned_from is null or returned_from in ('accepted', 'settled'));
comment on column payout_suspense.returned_from is 'For a return: the payment''s status when the statement reported it (accepted: posted, its debit not yet seen on a statement; settled), which a rejected return restores. Null for unmatched movements and for returns recorded before migration 0135 (a rejection restores those to settled).';

create table payout_return_rejection (
  instruction_id uuid primary key references payout_instruction (id),
  suspense_id uuid not null references payout_suspense (id),
  reported_by uuid,
  rejected_by uuid not null,
  reason text not null check (char_length(reason) between 1 and 500),
  restored_status text not null check (restored_status in ('accepted', 'settled')),
  reversal_transfer_id uuid not null unique,
  rejected_at timestamptz not null default now(),
  constraint payout_return_rejecter_not_reporter check (rejected_by is distinct from reported_by)
);
comment on table payout_return_rejection is 'A second finance officer''s rejection of a payout return read from a bank statement (the bank did not give the payment back): the payment is restored and the return''s money moved back out of suspense. One per payment, never changed.';
comment on column payout_return_rejection.instruction_id is 'The payment whose return was rejected.';
comment on column payout_return_rejection.suspense_id is 'The suspense row (and ledger transfer) of the rejected return.';
comment on column payout_return_rejection.reported_by is 'Who uploaded the file that reported the return (copied from it by the trigger; null for a system job).';
comment on column payout_return_rejection.rejected_by is 'The finance officer who rejected it: never the uploader.';
comment on column payout_return_rejection.reason is 'Why, in the officer''s words (for example: the bank does not know the reference).';
comment on column payout_return_rejection.restored_status is 'The status the payment went back to: the one it had when the statement reported the return.';
comment on column payout_return_rejection.reversal_transfer_id is 'The ledger transfer suspense -> settlement that reversed the return''s move into suspense.';
comment on column payout_return_rejection.rejected_at is 'When.';

create trigger payout_return_rejection_reporter before insert on payout_return_rejection
  for each row execute function payout_return_confirmation_reporter();
comment on function payout_return_confirmation_reporter() is 'Fills a return confirmation''s or rejection''s reported_by from the bank file that reported the return, so the check that the second officer is someone else does not rest on the application''s word.';

create function payout_return_leaves_pending() returns trigger
  language plpgsql
as $$
begin
  if old.status = 'return_pending' and new.status not in ('return_pending', 'returned') and not exists (
    select 1 from payout_return_rejection r where r.instruction_id = new.id
  ) then
    raise exception 'payout % leaves return_pending only by a second finance officer''s confirmation or rejection', new.id
      using errcode = '23514';
  end if;
  return new;
end;
$$;
comment on function payout_return_leaves_pending() is 'Refuses a payment taken out of return_pending other than by a confirmation (returned) or a rejection row (its status restored).';
create trigger payout_instruction_return_rejected before update of status on payout_instruction
  for each row execute function payout_return_leaves_pending();

grant select, insert on payout_return_rejection to amparo_app;
