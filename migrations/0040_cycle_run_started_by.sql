-- Issue #13, point 4 (separation of duties): whoever runs a cycle's computation does not
-- approve it. The creator was already refused (program_cycle.created_by); a recomputation
-- starts a new round with its own eligible set, so the operator who started it is kept with
-- the round, and the approval refuses anyone who started any round of the cycle.
alter table program_cycle_run add column started_by uuid;
comment on column program_cycle_run.started_by is 'Operator who started this round (created the cycle, or asked for its recomputation); null when started by the system (the demo, a command run without an operator). Such an operator cannot approve the cycle.';
