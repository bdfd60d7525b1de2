-- A refusal after the gate is audited from the request's remembered grants
-- (src/modules/access/request-grants.ts), a map capped at limits.access.grantRequestsTrackedMax.
-- Reaching the cap forgets the oldest request: should that request still be live, a refusal
-- after its grant would go unaudited. Forgetting one is now a security alert for auditors.

alter table security_alert drop constraint security_alert_kind_check;
alter table security_alert add constraint security_alert_kind_check
  check (kind in ('read_quota_exceeded', 'audit_signing_failed', 'audit_log_rolled_back', 'payment_merchant_fan_in', 'grant_tracking_evicted'));

comment on column security_alert.kind is 'What happened: read_quota_exceeded (an operator read beyond their quota), audit_signing_failed (signing or witnessing audit tree heads failed; raised once per failing streak), audit_log_rolled_back (at start, the audit log was shorter than a head in the witness file), payment_merchant_fan_in (many distinct wallets paid one merchant account within minutes; details name the ledger account, counts and the window, never a person), grant_tracking_evicted (the requests whose grants the gate remembers reached their cap and the oldest were forgotten: a refusal after their grants would not be audited; details count them, at most one alert a minute per process).';
