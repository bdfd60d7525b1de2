-- Goods coming into a point are never refused (issue #15, point 2: "stock never goes below zero
-- without an explicit, recorded override"). Only a movement out can take a balance below zero,
-- and that needs the override; but once hand-overs made offline have taken a balance below zero
-- (they were made: their movements carry the override), a delivery, a transfer in, or the goods
-- of a hand-over reversed when an offline conflict was cleared coming back, still leave it below
-- zero, and the old check refused them. A movement in now stands with any balance after it; the
-- override flag keeps meaning "this movement took the stock below zero on purpose".
do $$
declare
  old_check text;
begin
  select conname into old_check from pg_constraint
   where conrelid = 'stock_movement'::regclass and contype = 'c'
     and pg_get_constraintdef(oid) like '%balance_after >= 0%';
  execute format('alter table stock_movement drop constraint %I', old_check);
end
$$;
alter table stock_movement add constraint stock_movement_below_zero_overridden
  check (balance_after >= 0 or override_negative or quantity_delta > 0);
comment on constraint stock_movement_below_zero_overridden on stock_movement is
  'A balance below zero after a movement out needs the explicit override; a movement in is never refused.';
