-- The merchant fan-in scan (issue #16, point 7) runs every minute over the payments of the
-- last minutes; without an index on time it read every ledger transfer each time (a million
-- disbursement credits included). Payments only: disbursements and the rest never enter it.

create index ledger_transfer_payment_time on ledger_transfer (created_at)
  where reason = 'payment' and result = 'ok';
