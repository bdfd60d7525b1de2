-- The definition a reconciliation sign-off's figures were made under (session 21). Session 20
-- redefined the figures (entitled per point, stock within the cycle's window): a sign-off kept
-- from before can never match the figures again, and the reader told it so by parsing every kept
-- figures on every read to see whether `stockWindow` was in them. Now the sign-off names its
-- definition when it is written, and the reader compares a number. Existing rows are filled by
-- that same rule — 1 without `stockWindow`, 2 with it — with the append-only trigger lifted for
-- that one statement, in this migration only (as migration 0054 did).

alter table reconciliation_sign_off add column figures_version smallint;
alter table reconciliation_sign_off disable trigger reconciliation_sign_off_immutable;
update reconciliation_sign_off
  set figures_version = case when figures ? 'stockWindow' then 2 else 1 end;
alter table reconciliation_sign_off enable trigger reconciliation_sign_off_immutable;
alter table reconciliation_sign_off alter column figures_version set not null;
alter table reconciliation_sign_off add constraint reconciliation_sign_off_figures_version_check
  check (figures_version >= 1);
comment on column reconciliation_sign_off.figures_version is 'The definition of the figures signed: 1 before session 20 (no stock window), 2 since (reconciliationFiguresVersion in reconciliation-service.ts); a sign-off under an earlier one is shown as such, not as figures changed.';
