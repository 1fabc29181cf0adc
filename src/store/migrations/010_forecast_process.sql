-- 010_forecast_process: forecast submissions and weekly snapshots
-- (src/crm/forecast_process.h).
--
-- A submission is a person's number for a period and a scope: a salesperson
-- for themselves (scope 'user'), a manager for a team of their subtree
-- (scope 'team', with the team's subtree), an admin for the company.  Kept
-- for ever: rows are only ever added (the triggers refuse changes), and the
-- latest per (period, scope, submitter) is the current one.

CREATE TABLE forecast_submissions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  period TEXT NOT NULL,                 -- "2026-Q4" or "2026-11"
  scope TEXT NOT NULL CHECK (scope = 'user' OR scope = 'team' OR scope = 'company'),
  scope_id INTEGER NOT NULL,            -- the user, the team; 0 for the company
  submitter_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  currency TEXT NOT NULL,
  commit_amount INTEGER NOT NULL,       -- minor units: what will book for sure
  best_case INTEGER NOT NULL,           -- minor units: what may book (>= commit)
  note TEXT,
  submitted_at TEXT NOT NULL
);
CREATE INDEX forecast_submissions_scope
  ON forecast_submissions(period, scope, scope_id, submitter_id, id);
CREATE INDEX forecast_submissions_submitter ON forecast_submissions(submitter_id, id);

CREATE TRIGGER forecast_submissions_no_update BEFORE UPDATE ON forecast_submissions
BEGIN
  SELECT RAISE(ABORT, 'forecast submissions are append-only');
END;
CREATE TRIGGER forecast_submissions_no_delete BEFORE DELETE ON forecast_submissions
BEGIN
  SELECT RAISE(ABORT, 'forecast submissions are append-only');
END;

-- One row per (period, ISO week, scope, source): a model's forecast as it
-- was at as_of, or a submission that was current then.  source is a model
-- name (weighted, categories, historical, simulation) or 'submission' (with
-- its submitter).  Amounts in minor units of `currency`; the totals (what
-- the period would book: closed-won so far plus the further bookings) are
-- what accuracy compares with the actual.
CREATE TABLE forecast_snapshots (
  id INTEGER PRIMARY KEY,
  period TEXT NOT NULL,
  week TEXT NOT NULL,                   -- "2026-W47": the ISO week of as_of
  as_of TEXT NOT NULL,                  -- the instant the forecast is as of
  taken_at TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope = 'user' OR scope = 'team' OR scope = 'company'),
  scope_id INTEGER NOT NULL,
  source TEXT NOT NULL,
  submitter_id INTEGER NOT NULL DEFAULT 0,   -- 0 for models
  submission_id INTEGER,
  currency TEXT NOT NULL,
  closed_won INTEGER NOT NULL,          -- won in the period before as_of
  total INTEGER NOT NULL,               -- models: closed_won + expected; submissions: commit
  p10 INTEGER,                          -- models with an interval: totals' quantiles
  p50 INTEGER,
  p90 INTEGER,
  commit_amount INTEGER,                -- categories and submissions
  best_case INTEGER,
  pipeline INTEGER,                     -- categories
  open_deals INTEGER,
  UNIQUE (period, week, scope, scope_id, source, submitter_id)
);
CREATE INDEX forecast_snapshots_week ON forecast_snapshots(week, period);

-- The analytics index (005) reloads its dictionaries when users and teams
-- change, but not when they are added: a team made after the index was
-- built had no forecast, roll-up or snapshot until a restart.
CREATE TRIGGER change_log_user_insert AFTER INSERT ON users BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (0);
END;
CREATE TRIGGER change_log_team_insert AFTER INSERT ON teams BEGIN
  INSERT INTO change_log (opportunity_id) VALUES (0);
END;
