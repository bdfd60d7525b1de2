-- A second operator may now refuse a two-person PIN check (docs/PAYMENTS-PIN.md): the refusal
-- fails the check for good, as too many wrong codes do. No new column: the refusing operator is
-- in the audit log (action payment.pin_approve, field payment_pin_check).
comment on column payment_pin_check.failed_at is 'When it failed for good (too many wrong codes, or refused by a second operator).';
