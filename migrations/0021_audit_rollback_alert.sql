-- The server compares the audit log with the witness file when it starts: a log shorter than a
-- head the witness remembers was rolled back (or restored from a backup), and auditors are told.

alter table security_alert drop constraint security_alert_kind_check;
alter table security_alert add constraint security_alert_kind_check
  check (kind in ('read_quota_exceeded', 'audit_signing_failed', 'audit_log_rolled_back'));

comment on column security_alert.kind is 'What happened: read_quota_exceeded (an operator read beyond their quota), audit_signing_failed (signing or witnessing audit tree heads failed; raised once per failing streak), audit_log_rolled_back (at start, the audit log was shorter than a head in the witness file).';
