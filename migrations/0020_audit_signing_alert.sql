-- Background signing of audit tree heads can fail (a locked table, a witness that does not
-- answer): the server keeps serving and retries, and auditors are told through an alert.

alter table security_alert drop constraint security_alert_kind_check;
alter table security_alert add constraint security_alert_kind_check
  check (kind in ('read_quota_exceeded', 'audit_signing_failed'));

comment on column security_alert.kind is 'What happened: read_quota_exceeded (an operator read beyond their quota), audit_signing_failed (signing or witnessing audit tree heads failed; raised once per failing streak).';
