-- 016_imports: every import is a record (crm/imports/journal.h), and the ids
-- records had in the system they came from (crm/imports/preset.h).
--
-- What an import created is the id range (created_from, created_to] of its
-- resource's table: the import holds the write lock and ids only grow, so
-- every row in the range is its own (rows deleted since are simply gone).
-- What it changed is one import_items row per record, with the values the
-- fields had before.  history_mark is max(history.id) when it committed: a
-- history row after it for one of those records is a change undo would lose.

CREATE TABLE imports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL, -- NULL: the system (CLI)
  via TEXT NOT NULL CHECK (via = 'cli' OR via = 'api'),
  file_name TEXT NOT NULL,
  resource TEXT NOT NULL,
  preset TEXT,                       -- salesforce, hubspot, or NULL
  pid INTEGER,                       -- an upload's job while it runs (status running)
  status TEXT NOT NULL CHECK (status = 'running' OR status = 'done' OR status = 'refused' OR
                              status = 'failed' OR status = 'undone'),
  created INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  created_from INTEGER NOT NULL DEFAULT 0,
  created_to INTEGER NOT NULL DEFAULT 0,
  history_mark INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  undone_at TEXT,
  undone_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX imports_user ON imports(user_id, id);

CREATE TABLE import_items (
  import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  record_id INTEGER NOT NULL,
  before TEXT NOT NULL,              -- JSON object: the changed fields' old values
  version INTEGER NOT NULL,          -- the record's version after the import
  PRIMARY KEY (import_id, record_id)
) WITHOUT ROWID;

CREATE TABLE import_rejects ( -- (temp.import_errors is bulk.c's staging)
  import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  line INTEGER,                      -- NULL: not a line's (a history import's deal)
  message TEXT NOT NULL,
  PRIMARY KEY (import_id, seq)
) WITHOUT ROWID;

-- A record's id in the system it was imported from: a re-import of the same
-- file updates it instead of making another, and references by the source's
-- ids (AccountId) find it.
CREATE TABLE external_ids (
  source TEXT NOT NULL,              -- salesforce, hubspot
  resource TEXT NOT NULL,
  external_id TEXT NOT NULL,
  record_id INTEGER NOT NULL,
  PRIMARY KEY (source, resource, external_id)
) WITHOUT ROWID;
CREATE INDEX external_ids_record ON external_ids(resource, record_id);
