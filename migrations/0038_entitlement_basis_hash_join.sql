-- Issue #13, performance. The per-statement entitlement check of migration 0037 is planned
-- when it runs, and the planner has no statistics on the rows just inserted (a transition
-- table) nor, often, on a member table written moments before: it chose a nested loop, and
-- an approval of 60,000 entitlements spent 249 s in the check. Without nested loops the
-- anti-joins are hash joins, linear in the rows: 0.14 s for the same 60,000.
alter function entitlement_basis_check() set enable_nestloop = off;
