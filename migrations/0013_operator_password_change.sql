-- A password an administrator handed over (a new account, a reset) is known to two people
-- and was on paper: the operator must choose their own before doing anything else.

alter table operator add column password_change_required boolean not null default false;

comment on column operator.password_change_required is 'True after an administrator set the password (new account or reset): until the operator changes it, the API answers only /api/auth/me, /password and /sign-out.';

grant update (password_change_required) on operator to amparo_app;
