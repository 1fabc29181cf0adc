-- 022_webhooks: outbound webhooks (crm/integrations/webhook.h).
--
-- An event is written by a trigger in the same transaction as the change
-- that causes it, into webhook_events, once per active webhook subscribed to
-- it: so every writer is seen (the API, imports, the command line, another
-- server) and a rolled-back change sends nothing.  The delivery worker of
-- `funnel serve` drains the table in id order per webhook, writing each
-- attempt to webhook_attempts.

CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  url TEXT NOT NULL,
  events TEXT NOT NULL,            -- JSON array of event names
  description TEXT,
  secret TEXT NOT NULL,            -- HMAC-SHA256 key; never in answers or history
  active INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE webhook_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event TEXT NOT NULL,             -- "opportunity.stage_changed"
  resource TEXT NOT NULL,          -- "opportunities"
  record_id INTEGER NOT NULL,
  detail TEXT,                     -- JSON object: what the trigger saw (stages, status)
  created_at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state = 'pending' OR state = 'delivered' OR state = 'failed'),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,   -- '' (a new event): at once
  delivered_at TEXT,
  replay_of INTEGER REFERENCES webhook_events(id) ON DELETE SET NULL
);
CREATE INDEX webhook_events_due ON webhook_events(state, webhook_id, id);
CREATE INDEX webhook_events_hook ON webhook_events(webhook_id, id);

CREATE TABLE webhook_attempts (
  id INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
  at TEXT NOT NULL,
  status INTEGER,                  -- HTTP status; NULL: no answer
  error TEXT,                      -- why it failed, when it did
  response TEXT,                   -- the first 1024 bytes of the answer
  duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_event ON webhook_attempts(event_id, id);

-- The events.  Each trigger adds one row per active webhook whose events
-- list names the event; with no webhook it costs one probe of an empty table.
CREATE TRIGGER webhook_opportunity_created AFTER INSERT ON opportunities
WHEN EXISTS (SELECT 1 FROM webhooks WHERE active = 1)
BEGIN
  INSERT INTO webhook_events (webhook_id, event, resource, record_id, detail, created_at,
                              next_attempt_at)
  SELECT w.id, 'opportunity.created', 'opportunities', NEW.id,
         json_object('stage', NEW.stage, 'status', NEW.status),
         strftime('%Y-%m-%dT%H:%M:%SZ','now'), ''
  FROM webhooks w, json_each(w.events) e
  WHERE w.active = 1 AND e.value = 'opportunity.created';
END;

-- One trigger for a deal's stage and status, so that a move to a won or lost
-- stage gives stage_changed first, then won or lost (SQLite runs separate
-- triggers on one row in no promised order).
CREATE TRIGGER webhook_opportunity_moved AFTER UPDATE OF stage, status ON opportunities
WHEN (OLD.stage IS NOT NEW.stage OR OLD.status IS NOT NEW.status)
     AND EXISTS (SELECT 1 FROM webhooks WHERE active = 1)
BEGIN
  INSERT INTO webhook_events (webhook_id, event, resource, record_id, detail, created_at,
                              next_attempt_at)
  SELECT w.id, 'opportunity.stage_changed', 'opportunities', NEW.id,
         json_object('stage', NEW.stage, 'previous_stage', OLD.stage, 'status', NEW.status),
         strftime('%Y-%m-%dT%H:%M:%SZ','now'), ''
  FROM webhooks w, json_each(w.events) e
  WHERE OLD.stage IS NOT NEW.stage AND w.active = 1 AND e.value = 'opportunity.stage_changed';
  INSERT INTO webhook_events (webhook_id, event, resource, record_id, detail, created_at,
                              next_attempt_at)
  SELECT w.id, 'opportunity.' || NEW.status, 'opportunities', NEW.id,
         json_object('stage', NEW.stage, 'lost_reason', NEW.lost_reason),
         strftime('%Y-%m-%dT%H:%M:%SZ','now'), ''
  FROM webhooks w, json_each(w.events) e
  WHERE OLD.status IS NOT NEW.status AND NEW.status <> 'open' AND w.active = 1
        AND e.value = 'opportunity.' || NEW.status;
END;

CREATE TRIGGER webhook_lead_created AFTER INSERT ON leads
WHEN EXISTS (SELECT 1 FROM webhooks WHERE active = 1)
BEGIN
  INSERT INTO webhook_events (webhook_id, event, resource, record_id, detail, created_at,
                              next_attempt_at)
  SELECT w.id, 'lead.created', 'leads', NEW.id, json_object('status', NEW.status),
         strftime('%Y-%m-%dT%H:%M:%SZ','now'), ''
  FROM webhooks w, json_each(w.events) e
  WHERE w.active = 1 AND e.value = 'lead.created';
END;

CREATE TRIGGER webhook_lead_converted AFTER UPDATE OF converted_at ON leads
WHEN OLD.converted_at IS NULL AND NEW.converted_at IS NOT NULL
     AND EXISTS (SELECT 1 FROM webhooks WHERE active = 1)
BEGIN
  INSERT INTO webhook_events (webhook_id, event, resource, record_id, detail, created_at,
                              next_attempt_at)
  SELECT w.id, 'lead.converted', 'leads', NEW.id,
         json_object('account_id', NEW.converted_account_id,
                     'contact_id', NEW.converted_contact_id,
                     'opportunity_id', NEW.converted_opportunity_id),
         strftime('%Y-%m-%dT%H:%M:%SZ','now'), ''
  FROM webhooks w, json_each(w.events) e
  WHERE w.active = 1 AND e.value = 'lead.converted';
END;

CREATE TRIGGER webhook_account_created AFTER INSERT ON accounts
WHEN EXISTS (SELECT 1 FROM webhooks WHERE active = 1)
BEGIN
  INSERT INTO webhook_events (webhook_id, event, resource, record_id, created_at,
                              next_attempt_at)
  SELECT w.id, 'account.created', 'accounts', NEW.id,
         strftime('%Y-%m-%dT%H:%M:%SZ','now'), ''
  FROM webhooks w, json_each(w.events) e
  WHERE w.active = 1 AND e.value = 'account.created';
END;

CREATE TRIGGER webhook_contact_created AFTER INSERT ON contacts
WHEN EXISTS (SELECT 1 FROM webhooks WHERE active = 1)
BEGIN
  INSERT INTO webhook_events (webhook_id, event, resource, record_id, created_at,
                              next_attempt_at)
  SELECT w.id, 'contact.created', 'contacts', NEW.id,
         strftime('%Y-%m-%dT%H:%M:%SZ','now'), ''
  FROM webhooks w, json_each(w.events) e
  WHERE w.active = 1 AND e.value = 'contact.created';
END;
