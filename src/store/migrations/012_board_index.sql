-- 012_board_index: the pipeline board's columns as index walks (docs/ui.md,
-- docs/performance.md; measured on 1M deals, bench/ui.sh).
--
-- Won and lost columns: the deals of the owners a manager sees that closed in
-- the last 30 days.  Without this index the list read every lost deal of the
-- team to find the recent ones (a manager of 9: ~70,000 rows, 0.35–2.4 s).
CREATE INDEX opportunities_owner_status_closed ON opportunities(owner_id, status, closed_at);

-- Open columns for an admin: one stage's deals by close date, the first page
-- without sorting the whole stage (14,000–19,000 deals a stage).  It does what
-- the index on stage alone did, so that one goes.
CREATE INDEX opportunities_stage_close ON opportunities(stage, close_date, id);
DROP INDEX opportunities_stage;
