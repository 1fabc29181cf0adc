-- 001_init (PostgreSQL): the same schema as 001_init.sql, in PostgreSQL's
-- types (BIGINT ids from identity columns, CITEXT for the e-mail that SQLite
-- compares with COLLATE NOCASE), and first the few SQLite functions that the
-- domain's SQL uses and PostgreSQL lacks, so that SQL runs unchanged on both
-- (store_pg.c translates the rest).  pg_trgm and citext are trusted
-- extensions: the database's owner may create them.
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- strftime(format, 'now' | instant): the formats the SQL uses, in UTC.
CREATE FUNCTION strftime(fmt text, v text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT to_char((CASE WHEN v = 'now' THEN now() ELSE v::timestamptz END) AT TIME ZONE 'UTC',
    replace(replace(replace(replace(replace(replace(replace(fmt,
      '%Y', 'YYYY'), '%m', 'MM'), '%d', 'DD'), '%H', 'HH24'), '%M', 'MI'), '%S', 'SS'),
      'T', '"T"') || CASE WHEN fmt LIKE '%Z' THEN '' ELSE '' END)
$$;
-- julianday(instant or date): days since the Julian epoch, as SQLite's.
CREATE FUNCTION julianday(v text) RETURNS double precision LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN v IS NULL THEN NULL
    ELSE extract(epoch FROM (CASE WHEN v = 'now' THEN now() ELSE v::timestamptz END)) / 86400.0 + 2440587.5 END
$$;
-- json_each(text): SQLite's table-valued json_each over a JSON text, its
-- key and value as text (arrays: the index as key).
CREATE FUNCTION json_each(v text) RETURNS TABLE (key text, value text) LANGUAGE sql IMMUTABLE AS $$
  SELECT e.key, e.value FROM jsonb_each_text(CASE WHEN jsonb_typeof(v::jsonb) = 'object' THEN v::jsonb ELSE '{}'::jsonb END) e
  UNION ALL
  SELECT (a.n - 1)::text, a.value FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(v::jsonb) = 'array' THEN v::jsonb ELSE '[]'::jsonb END) WITH ORDINALITY a(value, n)
$$;
-- funnel_ids(text): a JSON array of ids (the :owners a principal sees) as
-- bigints, for "owner_id IN (SELECT value FROM json_each(:owners))".
CREATE FUNCTION funnel_ids(v text) RETURNS TABLE (value bigint) LANGUAGE sql IMMUTABLE AS $$
  SELECT x::bigint FROM jsonb_array_elements_text(v::jsonb) x
$$;
-- funnel_phrase_like(text): an FTS5 phrase ("acme", quotes doubled) as an
-- ILIKE pattern '%acme%' (\ escapes), for the pg_trgm search (012).
CREATE FUNCTION funnel_phrase_like(q text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT '%' || replace(replace(replace(replace(
    CASE WHEN q LIKE '"%"' THEN substr(q, 2, length(q) - 2) ELSE q END,
    '\', '\\'), '%', '\%'), '_', '\_'), '""', '"') || '%'
$$;
-- json_valid(text): is it JSON?
CREATE FUNCTION json_valid(v text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM v::jsonb;
  RETURN v IS NOT NULL;
EXCEPTION WHEN others THEN
  RETURN false;
END $$;
-- sqlite_sequence: the last id each table's identity gave (the change feed's
-- newest seq, analytics.c; the next ids of a bulk import, bulk.c).
CREATE VIEW sqlite_sequence AS
  SELECT c.relname::text AS name, s.last_value AS seq
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attidentity <> ''
  JOIN pg_sequences s ON s.schemaname || '.' || s.sequencename = pg_get_serial_sequence(quote_ident(c.relname), a.attname)
  WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace;
-- sqlite_master: the schema's tables and indexes (those a constraint makes
-- have no SQL, as SQLite's autoindexes), for the demo generator and the bulk
-- import, which drop a table's indexes and make them again after loading.
-- Triggers are not listed: they stay on PostgreSQL.
CREATE VIEW sqlite_master AS
  SELECT 'index'::text AS type, i.indexname::text AS name, i.tablename::text AS tbl_name,
         i.indexdef::text AS sql
  FROM pg_indexes i
  WHERE i.schemaname = current_schema()
    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname
                    AND k.connamespace = current_schema()::regnamespace)
  UNION ALL
  SELECT 'table', c.relname::text, c.relname::text, NULL
  FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace;
-- pragma_table_info(table): its columns' names.
CREATE FUNCTION pragma_table_info(t text) RETURNS TABLE (name text) LANGUAGE sql STABLE AS $$
  SELECT column_name::text FROM information_schema.columns
  WHERE table_schema = current_schema() AND table_name = t
$$;
-- printf(format, value): one %d or %s, as the bulk import's messages use it.
CREATE FUNCTION printf(fmt text, v anyelement) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p > 0 THEN substr(fmt, 1, p - 1) || coalesce(v::text, '') || substr(fmt, p + 2)
              ELSE fmt END
  FROM (SELECT least(nullif(strpos(fmt, '%d'), 0), nullif(strpos(fmt, '%s'), 0)) AS p) AS f
$$;
-- SQLite's two-argument max()/min(): greatest()/least(), but NULL when
-- either is (as SQLite's).
CREATE FUNCTION max(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE greatest(a, b) END $$;
CREATE FUNCTION min(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE least(a, b) END $$;
CREATE FUNCTION max(a double precision, b double precision) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE greatest(a, b) END $$;
CREATE FUNCTION min(a double precision, b double precision) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE least(a, b) END $$;
CREATE FUNCTION max(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE greatest(a, b) END $$;
CREATE FUNCTION min(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE least(a, b) END $$;
-- A comparison is an integer in SQLite: sum(x = y) counts.  sum(boolean)
-- does the same here (NULL over no rows, as sum() does).
CREATE FUNCTION funnel_bool_add(a bigint, b boolean) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN b IS NULL THEN a ELSE coalesce(a, 0) + CASE WHEN b THEN 1 ELSE 0 END END
$$;
CREATE AGGREGATE sum(boolean) (SFUNC = funnel_bool_add, STYPE = bigint);
-- bigint << bigint (SQLite's integers are all 64-bit).
CREATE FUNCTION funnel_shl(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT a << b::integer $$;
CREATE OPERATOR << (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = funnel_shl);
-- round(real, digits): PostgreSQL rounds only numerics to digits.
CREATE FUNCTION round(a double precision, d integer) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$ SELECT round(a::numeric, d)::double precision $$;

-- CHECKs list values as OR chains, not IN (...): SQLite builds a temporary
-- table for an IN list on every INSERT, which showed in bulk imports.
-- Record tables are AUTOINCREMENT: a deleted record's id is never handed out
-- again, so its history, links and URLs never pass to a new record.
-- Instants are UTC text "YYYY-MM-DDTHH:MM:SSZ", dates "YYYY-MM-DD", money integer
-- minor units beside a currency code. Every record has version (ETag) and
-- created/updated times; changes go to history (the audit log).

CREATE TABLE teams (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  parent_id BIGINT REFERENCES teams(id) ON DELETE RESTRICT,
  created_by BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX teams_parent ON teams(parent_id);

CREATE TABLE users (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  email CITEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role = 'admin' OR role = 'manager' OR role = 'rep'),
  team_id BIGINT REFERENCES teams(id) ON DELETE RESTRICT,
  manager_id BIGINT REFERENCES users(id) ON DELETE RESTRICT,
  territory TEXT,
  industry TEXT,
  channel TEXT CHECK (channel = 'field' OR channel = 'inside' OR channel = 'partner' OR channel = 'web' OR channel = 'retail'),
  password_hash TEXT,
  active BIGINT NOT NULL DEFAULT 1,
  created_by BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX users_team ON users(team_id);

CREATE TABLE quotas (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  period TEXT NOT NULL,           -- "2026-Q4" or "2026-11"
  amount BIGINT NOT NULL,        -- minor units
  currency TEXT NOT NULL,
  UNIQUE (user_id, period)
);

CREATE TABLE sessions (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  csrf_token TEXT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
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
  failures BIGINT NOT NULL,
  window_start BIGINT NOT NULL,  -- unix seconds
  locked_until BIGINT NOT NULL DEFAULT 0
);

-- Responses to POSTs that carried an Idempotency-Key, replayed on retry.
CREATE TABLE idempotency (
  user_id BIGINT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,      -- hash of method, path and body
  status BIGINT NOT NULL,
  location TEXT,
  etag TEXT,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, key)
);

-- Process maps.  001 holds what records need; the rules arrive with the
-- sales-process work (exit criteria, enforcement).
CREATE TABLE pipelines (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  is_default BIGINT NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE stages (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  pipeline_id BIGINT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  position BIGINT NOT NULL,
  probability BIGINT NOT NULL CHECK (probability BETWEEN 0 AND 100),
  section TEXT NOT NULL CHECK (section = 'upper' OR section = 'middle' OR section = 'lower' OR section = 'won' OR section = 'lost'),
  forecast_category TEXT NOT NULL
    CHECK (forecast_category = 'pipeline' OR forecast_category = 'best_case' OR forecast_category = 'commit' OR forecast_category = 'closed' OR forecast_category = 'omitted'),
  stale_days BIGINT NOT NULL DEFAULT 30,
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
-- the id above was given: the identity goes on after it
SELECT setval(pg_get_serial_sequence('pipelines', 'id'), 1);

CREATE TABLE accounts (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name TEXT NOT NULL,
  domain TEXT,
  industry TEXT,
  territory TEXT,
  employees BIGINT,
  phone TEXT,
  website TEXT,
  address TEXT,
  owner_id BIGINT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  created_by BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX accounts_owner ON accounts(owner_id, id);
CREATE INDEX accounts_name ON accounts(name, id);
CREATE INDEX accounts_domain ON accounts(domain);
CREATE INDEX accounts_industry ON accounts(industry);
CREATE INDEX accounts_territory ON accounts(territory);
CREATE INDEX accounts_created ON accounts(created_at, id);
CREATE INDEX accounts_updated ON accounts(updated_at, id);

CREATE TABLE contacts (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE RESTRICT,
  first_name TEXT,
  last_name TEXT NOT NULL,
  email TEXT,
  phone TEXT,
  title TEXT,
  decision_maker BIGINT NOT NULL DEFAULT 0,
  owner_id BIGINT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  created_by BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX contacts_account ON contacts(account_id);
CREATE INDEX contacts_owner ON contacts(owner_id, id);
CREATE INDEX contacts_email ON contacts(email);
CREATE INDEX contacts_last_name ON contacts(last_name, id);
CREATE INDEX contacts_created ON contacts(created_at, id);
CREATE INDEX contacts_updated ON contacts(updated_at, id);

CREATE TABLE leads (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
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
  owner_id BIGINT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  created_by BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX leads_owner ON leads(owner_id, id);
CREATE INDEX leads_status ON leads(status);
CREATE INDEX leads_channel ON leads(channel);
CREATE INDEX leads_email ON leads(email);
CREATE INDEX leads_last_name ON leads(last_name, id);
CREATE INDEX leads_created ON leads(created_at, id);
CREATE INDEX leads_updated ON leads(updated_at, id);

CREATE TABLE opportunities (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE RESTRICT,
  contact_id BIGINT REFERENCES contacts(id) ON DELETE SET NULL,
  owner_id BIGINT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  pipeline_id BIGINT NOT NULL REFERENCES pipelines(id) ON DELETE RESTRICT,
  name TEXT NOT NULL,
  amount BIGINT NOT NULL DEFAULT 0,   -- minor units of currency
  currency TEXT NOT NULL DEFAULT 'EUR',
  close_date TEXT NOT NULL,
  channel TEXT CHECK (channel = 'field' OR channel = 'inside' OR channel = 'partner' OR channel = 'web' OR channel = 'retail'),
  stage TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status = 'open' OR status = 'won' OR status = 'lost'),
  probability BIGINT NOT NULL CHECK (probability BETWEEN 0 AND 100),
  forecast_category TEXT
    CHECK (forecast_category = 'pipeline' OR forecast_category = 'best_case' OR forecast_category = 'commit' OR forecast_category = 'closed' OR forecast_category = 'omitted'),
  lost_reason TEXT,
  stage_entered_at TEXT NOT NULL,
  closed_at TEXT,
  created_by BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
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
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  opportunity_id BIGINT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
  stage TEXT NOT NULL,
  entered_at TEXT NOT NULL,
  exited_at TEXT,
  actor_id BIGINT,
  override BIGINT NOT NULL DEFAULT 0,
  reason TEXT
);
CREATE INDEX stage_history_opp ON stage_history(opportunity_id, id);

CREATE TABLE activities (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  type TEXT NOT NULL CHECK (type = 'call' OR type = 'meeting' OR type = 'email' OR type = 'task' OR type = 'note'),
  subject TEXT NOT NULL,
  notes TEXT,
  due_at TEXT,
  done_at TEXT,
  related_type TEXT CHECK (related_type = 'account' OR related_type = 'contact' OR related_type = 'lead' OR related_type = 'opportunity'),
  related_id BIGINT,
  owner_id BIGINT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  created_by BIGINT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
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
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  resource TEXT NOT NULL,
  record_id BIGINT NOT NULL,
  at TEXT NOT NULL,
  actor_id BIGINT,
  action TEXT NOT NULL CHECK (action = 'create' OR action = 'update' OR action = 'delete'),
  field TEXT,
  old TEXT,
  new TEXT
);
CREATE INDEX history_record ON history(resource, record_id, id);
