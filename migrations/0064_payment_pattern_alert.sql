-- Alerts to auditors on payment patterns (issue #16, point 7): many distinct beneficiary
-- wallets paying one merchant account within minutes (a merchant collecting cards, or a
-- scripted drain). Raised by the payments module's scan of the ledger into the same table
-- auditors already read (GET /api/alerts).

alter table security_alert drop constraint security_alert_kind_check;
alter table security_alert add constraint security_alert_kind_check
  check (kind in ('read_quota_exceeded', 'audit_signing_failed', 'audit_log_rolled_back', 'payment_merchant_fan_in'));

comment on column security_alert.kind is 'What happened: read_quota_exceeded (an operator read beyond their quota), audit_signing_failed (signing or witnessing audit tree heads failed; raised once per failing streak), audit_log_rolled_back (at start, the audit log was shorter than a head in the witness file), payment_merchant_fan_in (many distinct wallets paid one merchant account within minutes; details name the ledger account, counts and the window, never a person).';
