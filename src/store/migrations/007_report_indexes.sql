-- 007_report_indexes: the indexes the stale-deal and performance reports
-- (src/crm/stale.c, src/crm/performance.c) read through, so that they stay
-- range scans as history grows instead of scans of whole tables.

-- Deals won or lost in a period; similar deals lost in the last 12 months.
CREATE INDEX opportunities_closed ON opportunities(status, closed_at);
-- Activities done in a period, per owner and type.
CREATE INDEX activities_done ON activities(done_at);
-- A deal's last activity: one probe per deal, answered from the index.
CREATE INDEX activities_related_done ON activities(related_type, related_id, done_at);
-- The completed stays in one stage (the team's median time in stage).
CREATE INDEX stage_history_stage ON stage_history(stage, exited_at);
