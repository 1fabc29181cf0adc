-- 002_sales_process: process maps with rules, lost reasons, web-to-lead forms,
-- lead qualification and conversion, document templates, attachments,
-- payment schedules.

-- A pipeline applies to a team (and the teams below it), a channel, or both;
-- the most specific match wins (see pipeline_for()).
ALTER TABLE pipelines ADD COLUMN team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL;
ALTER TABLE pipelines ADD COLUMN channel TEXT
  CHECK (channel = 'field' OR channel = 'inside' OR channel = 'partner' OR channel = 'web' OR channel = 'retail');
ALTER TABLE pipelines ADD COLUMN enforcement TEXT NOT NULL DEFAULT 'guided'
  CHECK (enforcement = 'strict' OR enforcement = 'guided' OR enforcement = 'free');
-- Days without any activity after which an open deal in the stage is idle.
ALTER TABLE stages ADD COLUMN idle_days INTEGER NOT NULL DEFAULT 14;

-- What must hold before an opportunity leaves a stage forward.
CREATE TABLE stage_criteria (
  id INTEGER PRIMARY KEY,
  stage_id INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind = 'field' OR kind = 'activity' OR kind = 'document' OR kind = 'payment'),
  field TEXT,          -- kind field: an opportunity field, or 'decision_maker'
  activity_type TEXT   -- kind activity: a completed one of this type on the deal
    CHECK (activity_type = 'call' OR activity_type = 'meeting' OR activity_type = 'email' OR activity_type = 'task' OR activity_type = 'note'),
  document_kind TEXT,  -- kind document: an attachment of this kind on the deal
  label TEXT           -- words for the salesperson; generated when NULL
);
CREATE INDEX stage_criteria_stage ON stage_criteria(stage_id);
CREATE INDEX stages_position ON stages(pipeline_id, position);
CREATE INDEX pipelines_attached ON pipelines(team_id, channel);

-- The seeds' map: who the client is, what they need and can spend, a meeting,
-- a proposal sent, a contract signed, the money in.
INSERT INTO stage_criteria (stage_id, kind, field, activity_type, document_kind) VALUES
  ((SELECT id FROM stages WHERE pipeline_id = 1 AND key = 'prequalification'), 'field', 'contact_id', NULL, NULL),
  ((SELECT id FROM stages WHERE pipeline_id = 1 AND key = 'qualification'), 'field', 'amount', NULL, NULL),
  ((SELECT id FROM stages WHERE pipeline_id = 1 AND key = 'qualification'), 'field', 'decision_maker', NULL, NULL),
  ((SELECT id FROM stages WHERE pipeline_id = 1 AND key = 'presentation'), 'activity', NULL, 'meeting', NULL),
  ((SELECT id FROM stages WHERE pipeline_id = 1 AND key = 'proposal'), 'document', NULL, NULL, 'proposal'),
  ((SELECT id FROM stages WHERE pipeline_id = 1 AND key = 'negotiation'), 'document', NULL, NULL, 'contract'),
  ((SELECT id FROM stages WHERE pipeline_id = 1 AND key = 'conversion'), 'document', NULL, NULL, 'welcome_letter'),
  ((SELECT id FROM stages WHERE pipeline_id = 1 AND key = 'conversion'), 'payment', NULL, NULL, NULL);
UPDATE stages SET idle_days = 7 WHERE pipeline_id = 1 AND key IN ('negotiation');
UPDATE stages SET idle_days = 21 WHERE pipeline_id = 1 AND key IN ('prequalification');

CREATE TABLE lost_reasons (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  active INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO lost_reasons (name, created_at, updated_at)
  SELECT column1, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')
  FROM (VALUES ('lost to competitor'), ('no budget'), ('no decision'), ('timing'), ('price'),
               ('requirements not met'), ('lost contact'));

-- Web-to-lead forms.  fields: JSON array of {name, label, type, required, maps_to}.
CREATE TABLE forms (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  fields TEXT NOT NULL,
  pipeline_id INTEGER REFERENCES pipelines(id) ON DELETE SET NULL,
  team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
  owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  channel TEXT CHECK (channel = 'field' OR channel = 'inside' OR channel = 'partner' OR channel = 'web' OR channel = 'retail'),
  thank_you_url TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  submissions INTEGER NOT NULL DEFAULT 0,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);

-- Round-robin position per team, for lead assignment.
CREATE TABLE assignment_cursor (
  team_id INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
  last_user_id INTEGER
);

ALTER TABLE leads ADD COLUMN qualification TEXT;          -- JSON object of answers
ALTER TABLE leads ADD COLUMN form_id INTEGER REFERENCES forms(id) ON DELETE SET NULL;
ALTER TABLE leads ADD COLUMN pipeline_id INTEGER REFERENCES pipelines(id) ON DELETE SET NULL;
ALTER TABLE leads ADD COLUMN converted_at TEXT;
ALTER TABLE leads ADD COLUMN converted_account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL;
ALTER TABLE leads ADD COLUMN converted_contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL;
ALTER TABLE leads ADD COLUMN converted_opportunity_id INTEGER REFERENCES opportunities(id) ON DELETE SET NULL;

-- Document templates; body holds {{account.name}}-style merge fields.
CREATE TABLE templates (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind = 'welcome_letter' OR kind = 'contract' OR kind = 'proposal' OR kind = 'other'),
  name TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);

-- Files linked to records, stored on disk by SHA-256 (content-addressed).
CREATE TABLE attachments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  filename TEXT NOT NULL,
  kind TEXT,                        -- proposal, contract, welcome_letter, recording ...
  related_type TEXT NOT NULL
    CHECK (related_type = 'account' OR related_type = 'contact' OR related_type = 'lead' OR related_type = 'opportunity'),
  related_id INTEGER NOT NULL,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX attachments_related ON attachments(related_type, related_id);
CREATE INDEX attachments_sha ON attachments(sha256);

-- What a won deal is to pay, and what it paid.
CREATE TABLE installments (
  id INTEGER PRIMARY KEY,
  opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
  due_date TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  created_at TEXT NOT NULL
);
CREATE INDEX installments_opp ON installments(opportunity_id, due_date);

CREATE TABLE payments (
  id INTEGER PRIMARY KEY,
  opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
  amount INTEGER NOT NULL CHECK (amount > 0),
  paid_at TEXT NOT NULL,
  method TEXT,
  reference TEXT,
  created_by INTEGER,
  created_at TEXT NOT NULL
);
CREATE INDEX payments_opp ON payments(opportunity_id);
