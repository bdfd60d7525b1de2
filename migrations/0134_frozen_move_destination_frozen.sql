-- A frozen-balance move may no longer land in a frozen wallet (issue #16, point 7; the review of
-- session 17): a merged person's balance goes to the survivor's wallet, but if the survivor is
-- frozen too by the time the move is carried out, the move is refused and proposed again goes
-- where the survivor's own balance goes (the estate account, or the next survivor). A move whose
-- survivor was frozen between its approval and its transfer ends `failed` with the refusal's
-- code; the comment says so. No data changes.

comment on column payment_adjustment.failure is 'Why nothing was posted: the ledger''s result code when it refused the transfer; AMP_ADJUSTMENT_WALLET_FROZEN when a manual adjustment''s wallet was frozen before its transfer; AMP_ADJUSTMENT_DESTINATION_FROZEN when a frozen-balance move''s destination (the survivor''s wallet) was frozen before its transfer.';
