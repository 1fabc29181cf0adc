-- 012_saved_filters: a person's named list queries ("my open deals in DACH"),
-- kept on the server so they follow them from one browser to another.  Only
-- their owner sees them (record.h VIS_SELF), admins included.
CREATE TABLE saved_filters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  resource TEXT NOT NULL CHECK (resource = 'accounts' OR resource = 'contacts' OR resource = 'leads' OR resource = 'opportunities'),
  name TEXT NOT NULL,
  query TEXT NOT NULL DEFAULT '',
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
-- a screen lists one person's filters for one resource, by name
CREATE UNIQUE INDEX saved_filters_owner_resource_name ON saved_filters(owner_id, resource, name);
