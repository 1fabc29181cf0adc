-- 005_change_log: the change feed of the analytics index (src/crm/analytics.h).
--
-- Every write that can change a funnel figure appends the id of the
-- opportunity it touched, from a trigger, in the writer's own transaction:
-- whoever writes (this server, another `funnel serve` on the same file, a
-- `funnel import` process, the sqlite3 CLI) the feed has it, and a rolled
-- back write leaves nothing.  A reader that remembers the last seq it applied
-- re-reads those opportunities and their stage rows; nothing can be missed.
--
-- opportunity_id 0 means "the dictionaries changed": an owner's name, team or
-- territory, a team, a pipeline or its stages.  An account's industry change
-- names each of its opportunities.
--
-- Pruning (analytics.c): after a full build at start, rows more than
-- ANALYTICS_KEEP_SEQ behind the newest are deleted, and again whenever a
-- reader gets that far ahead of the oldest row.  A reader that finds a gap
-- after its last seq (rows pruned before it saw them) rebuilds in full.

CREATE TABLE change_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  opportunity_id INTEGER NOT NULL
);

CREATE TRIGGER change_log_opp_insert AFTER INSERT ON opportunities BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (NEW.id);
END;
CREATE TRIGGER change_log_opp_update AFTER UPDATE ON opportunities BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (NEW.id);
  INSERT INTO change_log (opportunity_id) SELECT OLD.id WHERE OLD.id <> NEW.id;
END;
CREATE TRIGGER change_log_opp_delete AFTER DELETE ON opportunities BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (OLD.id);
END;

CREATE TRIGGER change_log_stage_insert AFTER INSERT ON stage_history BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (NEW.opportunity_id);
END;
CREATE TRIGGER change_log_stage_update AFTER UPDATE ON stage_history BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (NEW.opportunity_id);
  INSERT INTO change_log (opportunity_id)
    SELECT OLD.opportunity_id WHERE OLD.opportunity_id <> NEW.opportunity_id;
END;
CREATE TRIGGER change_log_stage_delete AFTER DELETE ON stage_history BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (OLD.opportunity_id);
END;

-- What the index keeps beside the opportunities: owners (name, team,
-- territory), teams, pipelines and their stages, the account's industry.
CREATE TRIGGER change_log_user_update AFTER UPDATE OF name, team_id, territory ON users BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (0);
END;
CREATE TRIGGER change_log_team_update AFTER UPDATE OF name, parent_id ON teams BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (0);
END;
CREATE TRIGGER change_log_pipeline_update AFTER UPDATE OF name ON pipelines BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (0);
END;
CREATE TRIGGER change_log_stages_insert AFTER INSERT ON stages BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (0);
END;
CREATE TRIGGER change_log_stages_update AFTER UPDATE ON stages BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (0);
END;
CREATE TRIGGER change_log_stages_delete AFTER DELETE ON stages BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (0);
END;
CREATE TRIGGER change_log_account_industry AFTER UPDATE OF industry ON accounts
  WHEN OLD.industry IS NOT NEW.industry BEGIN
  INSERT INTO change_log (opportunity_id)
    SELECT id FROM opportunities WHERE account_id = NEW.id;
END;
