-- A distribution supervisor role (issue #15; review of session 20): the floor powers at
-- distribution points — stock adjustments, clearing offline conflicts and carry-over disputes,
-- registering and revoking offline devices, the reconciliation sign-off, the list of
-- redemptions without the card, the supervised offline sync — leave the program officer, who
-- writes programs and their eligibility rules. Whoever writes the rules no longer adjusts the
-- stock or signs off the reconciliation of the points that hand them out (least privilege,
-- separation of duties). Scoped, like the program officer was, by the point's state
-- (docs/ACCESS.md). Granted like every role: one administrator asks, another approves.
alter table operator drop constraint operator_roles_check;
alter table operator add constraint operator_roles_check check (
  roles <@ array['enrolment_clerk', 'registry_supervisor', 'program_officer', 'program_supervisor', 'distribution_operator', 'distribution_supervisor', 'auditor', 'statistics_analyst', 'administrator', 'finance_officer', 'merchant']
);
comment on column operator.roles is 'Roles held: enrolment_clerk, registry_supervisor, program_officer, program_supervisor, distribution_operator, distribution_supervisor, auditor, statistics_analyst, administrator, finance_officer, merchant.';
alter table operator_change drop constraint operator_change_add_roles_check;
alter table operator_change add constraint operator_change_add_roles_check check (
  add_roles <@ array['enrolment_clerk', 'registry_supervisor', 'program_officer', 'program_supervisor', 'distribution_operator', 'distribution_supervisor', 'auditor', 'statistics_analyst', 'administrator', 'finance_officer', 'merchant']
);
