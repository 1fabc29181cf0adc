-- 006_handovers: handing a leaving salesperson's open records over, by funnel
-- position (src/crm/handover.h).  A plan is made (draft), may be edited or
-- re-planned, then executed once in one transaction, or cancelled.

CREATE TABLE handovers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  from_user INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,   -- the leaver
  successor INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  manager INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  successor_auto INTEGER NOT NULL DEFAULT 0,  -- 1: proposed by Funnel, not named
  successor_reason TEXT NOT NULL,             -- why this successor, in words
  manager_reason TEXT NOT NULL,               -- why this manager
  note TEXT,
  status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status = 'draft' OR status = 'executed' OR status = 'cancelled'),
  planned_at TEXT NOT NULL,                   -- when the items were last computed
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  executed_at TEXT,
  executed_by INTEGER,
  counts TEXT,                                -- JSON {before, after} once executed
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX handovers_from ON handovers(from_user, status);

-- One row per record of the leaver: where it goes and what must be done.
CREATE TABLE handover_items (
  id INTEGER PRIMARY KEY,
  handover_id INTEGER NOT NULL REFERENCES handovers(id) ON DELETE CASCADE,
  resource TEXT NOT NULL CHECK (resource = 'opportunities' OR resource = 'leads' OR
    resource = 'accounts' OR resource = 'contacts' OR resource = 'activities'),
  record_id INTEGER NOT NULL,
  label TEXT NOT NULL,                        -- the record's name when planned
  section TEXT NOT NULL
    CHECK (section = 'lower' OR section = 'middle' OR section = 'upper' OR section = 'other'),
  stage TEXT,                                 -- opportunities: the stage key when planned
  new_owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  action TEXT NOT NULL,
  task_subject TEXT,
  task_due_at TEXT,
  task_owner_id INTEGER REFERENCES users(id) ON DELETE RESTRICT,
  follows_resource TEXT,                      -- the record whose new owner it follows
  follows_id INTEGER,
  included INTEGER NOT NULL DEFAULT 1,
  outcome TEXT CHECK (outcome = 'applied' OR outcome = 'skipped'),  -- after execute
  activity_id INTEGER,                        -- the task made on execute
  UNIQUE (handover_id, resource, record_id)
);
CREATE INDEX handover_items_follows ON handover_items(handover_id, follows_resource, follows_id);
