-- Reconciliation per point and cycle (issue #15, point 7). A redemption now names the program
-- cycle of its entitlement, so a point's figures for one cycle are one indexed read; existing
-- rows are filled from their entitlement (the append-only trigger is lifted for that one
-- statement, in this migration only). A supervisor signs the figures off: each sign-off is an
-- append-only row with the figures as signed and their SHA-256, so a later change to the figures
-- (a late sync, an adjustment) shows as "changed since signed".

alter table redemption add column cycle_id uuid references program_cycle (id);
alter table redemption disable trigger redemption_immutable;
update redemption r set cycle_id = e.cycle_id from entitlement e where e.id = r.entitlement_id;
alter table redemption enable trigger redemption_immutable;
alter table redemption alter column cycle_id set not null;
create index redemption_point_cycle_idx on redemption (point_id, cycle_id);
comment on column redemption.cycle_id is 'The program cycle of the entitlement redeemed (for reconciliation per point and cycle).';

create table reconciliation_sign_off (
  id uuid primary key,
  point_id uuid not null references distribution_point (id),
  cycle_id uuid not null references program_cycle (id),
  signed_by uuid not null,
  signed_at timestamptz not null,
  figures jsonb not null,
  figures_sha256 bytea not null check (octet_length(figures_sha256) = 32),
  note text check (note is null or char_length(note) <= 500)
);
create index reconciliation_sign_off_point_cycle_idx on reconciliation_sign_off (point_id, cycle_id, signed_at);
comment on table reconciliation_sign_off is 'A supervisor''s sign-off of a point''s reconciliation for one cycle; append-only.';
comment on column reconciliation_sign_off.id is 'Database key (UUID).';
comment on column reconciliation_sign_off.point_id is 'The distribution point.';
comment on column reconciliation_sign_off.cycle_id is 'The program cycle.';
comment on column reconciliation_sign_off.signed_by is 'The supervisor (operator id) who signed.';
comment on column reconciliation_sign_off.signed_at is 'When.';
comment on column reconciliation_sign_off.figures is 'The figures as signed: counts and per-item quantities, no person.';
comment on column reconciliation_sign_off.figures_sha256 is 'SHA-256 of the canonical figures, to tell whether they changed since.';
comment on column reconciliation_sign_off.note is 'The supervisor''s note (at most 500 characters).';

create trigger reconciliation_sign_off_immutable before update or delete on reconciliation_sign_off
  for each row execute function distribution_history_immutable();
create trigger reconciliation_sign_off_no_truncate before truncate on reconciliation_sign_off
  for each statement execute function distribution_history_immutable();

grant select, insert on reconciliation_sign_off to amparo_app;
