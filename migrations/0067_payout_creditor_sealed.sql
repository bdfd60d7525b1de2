-- Payout creditors sealed under the person's data key (issue #16, safeguard 6). A payout's
-- creditor name, account (or Pago Móvil number) and cédula were stored in clear in
-- payout_instruction; they are now one AES-256-GCM box under the paid person's own data key
-- (the registry's personDataSealer, associated data payout_instruction|creditor_sealed|<id>),
-- so the registry's erasure, which destroys that key, crypto-shreds them with the person's
-- record. What stays in clear says nothing about who is paid: the kind of account, the bank,
-- the amount and the status.
--
-- Rows written in clear cannot be sealed here (the master key is outside the database), and
-- dropping them would lose what a bank was asked to pay: a database holding any is refused.
do $$
begin
  if exists (select 1 from payout_instruction) then
    raise exception 'payout_instruction holds % creditors in clear: pay or void those batches with the previous version, then export and remove them before this migration seals creditors under the person''s key',
      (select count(*) from payout_instruction);
  end if;
end
$$;

alter table payout_instruction
  drop column creditor_name,
  drop column creditor_national_id,
  drop column account_number,
  add column person_id uuid not null,
  add column creditor_sealed bytea not null check (length(creditor_sealed) > 29);

comment on column payout_instruction.person_id is 'The person paid (registry record id): whose data key seals the creditor, and whose access history shows each download of the file.';
comment on column payout_instruction.creditor_sealed is 'The creditor''s name, account or Pago Móvil number and cédula, as JSON sealed with AES-256-GCM under the person''s data key (associated data payout_instruction|creditor_sealed|id). Unreadable once the person is erased (crypto-shredding).';
