-- 001_init: organisation, authentication, records, history.
-- CHECKs list values as OR chains, not IN (...): SQLite builds a temporary
-- table for an IN list on every INSERT, which showed in bulk imports.
-- Record tables are AUTOINCREMENT: a deleted record's id is never handed out
-- again, so its history, links and URLs never pass to a new record.
-- Instants are UTC text "YYYY-MM-DDTHH:MM:SSZ", dates "YYYY-MM-DD", money integer
-- minor units beside a currency code. Every record has version (ETag) and
-- created/updated times; changes go to history (the audit log).

CREATE TABLE teams (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  parent_id INTEGER REFERENCES teams(id) ON DELETE RESTRICT,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX teams_parent ON teams(parent_id);

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role = 'admin' OR role = 'manager' OR role = 'rep'),
  team_id INTEGER REFERENCES teams(id) ON DELETE RESTRICT,
  manager_id INTEGER REFERENCES users(id) ON DELETE RESTRICT,
  territory TEXT,
  industry TEXT,
  channel TEXT CHECK (channel = 'field' OR channel = 'inside' OR channel = 'partner' OR channel = 'web' OR channel = 'retail'),
  password_hash TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX users_team ON users(team_id);

CREATE TABLE quotas (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  period TEXT NOT NULL,           -- "2026-Q4" or "2026-11"
  amount INTEGER NOT NULL,        -- minor units
  currency TEXT NOT NULL,
  UNIQUE (user_id, period)
);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  csrf_token TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,           -- first characters, to recognise a token in a list
  created_at TEXT NOT NULL,
  expires_at TEXT,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Failed logins per key ("email:..." or "ip:..."), for throttling.
CREATE TABLE auth_throttle (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start INTEGER NOT NULL,  -- unix seconds
  locked_until INTEGER NOT NULL DEFAULT 0
);

-- Responses to POSTs that carried an Idempotency-Key, replayed on retry.
CREATE TABLE idempotency (
  user_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,      -- hash of method, path and body
  status INTEGER NOT NULL,
  location TEXT,
  etag TEXT,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, key)
);

-- Process maps.  001 holds what records need; the rules arrive with the
-- sales-process work (exit criteria, enforcement).
CREATE TABLE pipelines (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE stages (
  id INTEGER PRIMARY KEY,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
  section TEXT NOT NULL CHECK (section = 'upper' OR section = 'middle' OR section = 'lower' OR section = 'won' OR section = 'lost'),
  forecast_category TEXT NOT NULL
    CHECK (forecast_category = 'pipeline' OR forecast_category = 'best_case' OR forecast_category = 'commit' OR forecast_category = 'closed' OR forecast_category = 'omitted'),
  stale_days INTEGER NOT NULL DEFAULT 30,
  UNIQUE (pipeline_id, key)
);

-- The default map from the seeds.
INSERT INTO pipelines (id, name, is_default, created_at, updated_at)
  VALUES (1, 'Standard sales process', 1, strftime('%Y-%m-%dT%H:%M:%SZ','now'),
          strftime('%Y-%m-%dT%H:%M:%SZ','now'));
INSERT INTO stages (pipeline_id, key, name, position, probability, section, forecast_category, stale_days) VALUES
  (1, 'prequalification', 'Pre-qualification',         1,  10, 'upper',  'pipeline',  14),
  (1, 'qualification',    'Qualification',             2,  25, 'upper',  'pipeline',  21),
  (1, 'presentation',     'Relationship / presentation',3, 50, 'middle', 'best_case', 30),
  (1, 'proposal',         'Proposal',                  4,  60, 'middle', 'best_case', 21),
  (1, 'negotiation',      'Negotiation',               5,  75, 'lower',  'commit',    21),
  (1, 'conversion',       'Conversion (won)',          6, 100, 'won',    'closed',    30),
  (1, 'payment_collected','Payment collected',         7, 100, 'won',    'closed',    0),
  (1, 'lost',             'Lost',                      8,   0, 'lost',   'omitted',   0);

CREATE TABLE accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  domain TEXT,
  industry TEXT,
  territory TEXT,
  employees INTEGER,
  phone TEXT,
  website TEXT,
  address TEXT,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX accounts_owner ON accounts(owner_id, id);
CREATE INDEX accounts_name ON accounts(name, id);
CREATE INDEX accounts_domain ON accounts(domain);
CREATE INDEX accounts_industry ON accounts(industry);
CREATE INDEX accounts_territory ON accounts(territory);
CREATE INDEX accounts_created ON accounts(created_at, id);
CREATE INDEX accounts_updated ON accounts(updated_at, id);

CREATE TABLE contacts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE RESTRICT,
  first_name TEXT,
  last_name TEXT NOT NULL,
  email TEXT,
  phone TEXT,
  title TEXT,
  decision_maker INTEGER NOT NULL DEFAULT 0,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contacts_account ON contacts(account_id);
CREATE INDEX contacts_owner ON contacts(owner_id, id);
CREATE INDEX contacts_email ON contacts(email);
CREATE INDEX contacts_last_name ON contacts(last_name, id);
CREATE INDEX contacts_created ON contacts(created_at, id);
CREATE INDEX contacts_updated ON contacts(updated_at, id);

CREATE TABLE leads (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  first_name TEXT,
  last_name TEXT NOT NULL,
  company TEXT,
  email TEXT,
  phone TEXT,
  title TEXT,
  source TEXT,
  industry TEXT,
  territory TEXT,
  channel TEXT CHECK (channel = 'field' OR channel = 'inside' OR channel = 'partner' OR channel = 'web' OR channel = 'retail'),
  status TEXT NOT NULL DEFAULT 'new' CHECK (status = 'new' OR status = 'working' OR status = 'qualified' OR status = 'disqualified'),
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX leads_owner ON leads(owner_id, id);
CREATE INDEX leads_status ON leads(status);
CREATE INDEX leads_channel ON leads(channel);
CREATE INDEX leads_email ON leads(email);
CREATE INDEX leads_last_name ON leads(last_name, id);
CREATE INDEX leads_created ON leads(created_at, id);
CREATE INDEX leads_updated ON leads(updated_at, id);

CREATE TABLE opportunities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE RESTRICT,
  contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE RESTRICT,
  name TEXT NOT NULL,
  amount INTEGER NOT NULL DEFAULT 0,   -- minor units of currency
  currency TEXT NOT NULL DEFAULT 'EUR',
  close_date TEXT NOT NULL,
  channel TEXT CHECK (channel = 'field' OR channel = 'inside' OR channel = 'partner' OR channel = 'web' OR channel = 'retail'),
  stage TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status = 'open' OR status = 'won' OR status = 'lost'),
  probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
  forecast_category TEXT
    CHECK (forecast_category = 'pipeline' OR forecast_category = 'best_case' OR forecast_category = 'commit' OR forecast_category = 'closed' OR forecast_category = 'omitted'),
  lost_reason TEXT,
  stage_entered_at TEXT NOT NULL,
  closed_at TEXT,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX opportunities_owner ON opportunities(owner_id, id);
CREATE INDEX opportunities_account ON opportunities(account_id);
CREATE INDEX opportunities_contact ON opportunities(contact_id);
CREATE INDEX opportunities_stage ON opportunities(stage);
CREATE INDEX opportunities_status ON opportunities(status, id);
CREATE INDEX opportunities_channel ON opportunities(channel);
CREATE INDEX opportunities_close ON opportunities(close_date, id);
CREATE INDEX opportunities_amount ON opportunities(amount, id);
CREATE INDEX opportunities_pipeline ON opportunities(pipeline_id);
CREATE INDEX opportunities_created ON opportunities(created_at, id);
CREATE INDEX opportunities_updated ON opportunities(updated_at, id);
CREATE INDEX opportunities_name ON opportunities(name, id);

-- Every stage entry and exit; exited_at NULL for the current stage.
CREATE TABLE stage_history (
  id INTEGER PRIMARY KEY,
  opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
  stage TEXT NOT NULL,
  entered_at TEXT NOT NULL,
  exited_at TEXT,
  actor_id INTEGER,
  override INTEGER NOT NULL DEFAULT 0,
  reason TEXT
);
CREATE INDEX stage_history_opp ON stage_history(opportunity_id, id);

CREATE TABLE activities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL CHECK (type = 'call' OR type = 'meeting' OR type = 'email' OR type = 'task' OR type = 'note'),
  subject TEXT NOT NULL,
  notes TEXT,
  due_at TEXT,
  done_at TEXT,
  related_type TEXT CHECK (related_type = 'account' OR related_type = 'contact' OR related_type = 'lead' OR related_type = 'opportunity'),
  related_id INTEGER,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX activities_owner ON activities(owner_id, id);
CREATE INDEX activities_related ON activities(related_type, related_id);
CREATE INDEX activities_type ON activities(type);
CREATE INDEX activities_due ON activities(due_at);
CREATE INDEX activities_created ON activities(created_at, id);
CREATE INDEX activities_updated ON activities(updated_at, id);

-- The audit log: one row per changed field (action 'update'), or one per
-- deleted record with its last state as JSON in old (action 'delete').
-- Creation is read from the record's created_at / created_by.
CREATE TABLE history (
  id INTEGER PRIMARY KEY,
  resource TEXT NOT NULL,
  record_id INTEGER NOT NULL,
  at TEXT NOT NULL,
  actor_id INTEGER,
  action TEXT NOT NULL CHECK (action = 'create' OR action = 'update' OR action = 'delete'),
  field TEXT,
  old TEXT,
  new TEXT
);
CREATE INDEX history_record ON history(resource, record_id, id);
