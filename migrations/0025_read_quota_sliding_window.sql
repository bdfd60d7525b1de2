-- Read quotas count a sliding hour instead of a clock hour (issue #11): operator_read_window
-- now holds one row per operator per minute, and a read is allowed when the minutes of the
-- last hour hold at most the quota. The table and its grants are unchanged; only what a row
-- means changes. Rows counted per clock hour before this migration still fall inside or
-- outside the window by their start, and the application prunes rows that left it.

comment on table operator_read_window is 'Person records read by each operator per minute, summed over a sliding hour for read quotas. Counters only, no record identities; rows older than the window are pruned by the application.';
comment on column operator_read_window.window_start is 'Start of the minute counted (UTC); rows from before migration 0025 start a clock hour.';
comment on column operator_read_window.reads is 'Person records read in that minute; a refused read is not counted.';
