-- 011_scoring: lead scoring and priority (src/crm/scoring.h).
--
-- Each lead carries its score (0..100), tier (A..D) and top factors, kept by
-- the server: recomputed in the transaction of every write to the lead or
-- to an activity on it, and in batches when the rules, the model or the
-- tiers change.  They are derived values: changing them bumps neither the
-- lead's version nor its updated_at, and writes no audit rows.

ALTER TABLE leads ADD COLUMN employees INTEGER CHECK (employees >= 0);
ALTER TABLE leads ADD COLUMN score INTEGER NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 100);
ALTER TABLE leads ADD COLUMN tier TEXT NOT NULL DEFAULT 'D'
  CHECK (tier = 'A' OR tier = 'B' OR tier = 'C' OR tier = 'D');
ALTER TABLE leads ADD COLUMN score_factors TEXT; -- JSON [{"factor", "points"}]

-- the lead inbox: best first, for everyone and for one owner
CREATE INDEX leads_score ON leads(score, id);
CREATE INDEX leads_owner_score ON leads(owner_id, score, id);

-- Fit rules an admin sets: points for a lead whose field matches.
CREATE TABLE scoring_rules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT,
  field TEXT NOT NULL CHECK (field IN ('industry', 'source', 'territory', 'channel', 'title',
                                       'company', 'email', 'employees')),
  operator TEXT NOT NULL CHECK (operator IN ('equals', 'in', 'contains', 'range')),
  value TEXT,       -- equals, contains
  one_of TEXT,      -- in: a JSON array of strings
  min INTEGER,      -- range (inclusive; either may be open)
  max INTEGER,
  points INTEGER NOT NULL CHECK (points BETWEEN -100 AND 100),
  active INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);

-- One row.  generation moves whenever what scores depend on changes
-- (rules, model, tiers); rescored_generation is the generation every lead
-- was last scored with, so a rescore still owed is seen by any process.
CREATE TABLE scoring_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL DEFAULT 1,
  rescored_generation INTEGER NOT NULL DEFAULT 0,
  tier_a INTEGER NOT NULL DEFAULT 75,
  tier_b INTEGER NOT NULL DEFAULT 50,
  tier_c INTEGER NOT NULL DEFAULT 25,
  CHECK (0 < tier_c AND tier_c < tier_b AND tier_b < tier_a AND tier_a <= 100)
);
INSERT INTO scoring_state (id) VALUES (1);

-- Learned models, newest in use; a few are kept for comparison.
CREATE TABLE scoring_models (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  trained_at TEXT NOT NULL,
  trained_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  as_of TEXT NOT NULL,          -- the instant outcomes were judged at
  intercept REAL NOT NULL,      -- log-odds of an average lead
  l2 REAL NOT NULL,
  iterations INTEGER NOT NULL,
  n_train INTEGER NOT NULL,
  n_test INTEGER NOT NULL,
  pos_train INTEGER NOT NULL,   -- converted, of n_train
  pos_test INTEGER NOT NULL,
  auc_train REAL,
  auc_test REAL                 -- null when the held-out set has one class only
);

CREATE TABLE scoring_features (
  model_id INTEGER NOT NULL REFERENCES scoring_models(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  grp TEXT NOT NULL,            -- industry, source, ..., calls (scoring.c)
  value TEXT,                   -- a category's value; null: "other" or a number
  center REAL NOT NULL,
  scale REAL NOT NULL,
  weight REAL NOT NULL,         -- per scale unit, on the log-odds
  support INTEGER NOT NULL,     -- training leads with it (numbers: non-zero)
  PRIMARY KEY (model_id, idx)
);
