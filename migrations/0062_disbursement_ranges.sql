-- A disbursement's chunks are ranges of person ids, not entitlement ids: the entitlements of a
-- cycle are indexed by (program, cycle, person) (migration 0031), so a range of persons is one
-- index scan, where a range of entitlement ids would read the whole cycle for every chunk.
alter table payment_disbursement_chunk rename column first_entitlement_id to first_person_id;
alter table payment_disbursement_chunk rename column last_entitlement_id to last_person_id;
comment on column payment_disbursement_chunk.first_person_id is 'First person id of the range of entitlements (inclusive).';
comment on column payment_disbursement_chunk.last_person_id is 'Last person id of the range of entitlements (inclusive).';
alter table payment_disbursement_chunk add column entitlements integer not null default 0 check (entitlements >= 0);
comment on column payment_disbursement_chunk.entitlements is 'Open cash entitlements in the range when the disbursement started.';
alter table payment_disbursement_chunk add column amount_minor bigint not null default 0 check (amount_minor >= 0);
comment on column payment_disbursement_chunk.amount_minor is 'Their total when the disbursement started, in minor units.';
