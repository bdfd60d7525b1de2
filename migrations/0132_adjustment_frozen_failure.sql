-- A manual adjustment may no longer debit or credit a frozen wallet (issue #16, point 7; the
-- review of session 17): a frozen wallet's balance moves only by the documented frozen-balance
-- move. One whose wallet was frozen between its approval and its transfer ends `failed` with the
-- refusal's code rather than a ledger result code; the comments say so. No data changes.

comment on column payment_adjustment.status is 'proposed, approved (being applied), rejected, applied (the ledger posted it) or failed (nothing posted; see failure).';
comment on column payment_adjustment.failure is 'Why nothing was posted: the ledger''s result code when it refused the transfer, or AMP_ADJUSTMENT_WALLET_FROZEN when a manual adjustment''s wallet was frozen before its transfer.';
