-- 020_email_log: e-mail logged onto contacts' timelines
-- (crm/integrations/maillog.h).
--
-- A message reaches Funnel by the BCC mailbox `funnel serve --imap` reads, or
-- posted to POST /api/v1/email_log.  Each is kept here once (its Message-ID),
-- with what came of it: logged (an activity of type email per contact it was
-- to or from), unmatched (no contact's address in it) or refused (unreadable,
-- or nobody in Funnel sent or received it).  email_log_activities ties a
-- message to the activities it made.  maillog_mailbox remembers how far the
-- worker has read a mailbox (IMAP UIDVALIDITY and the last UID taken).

CREATE TABLE email_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL UNIQUE,  -- the Message-ID, or a hash of the message without one
  source TEXT NOT NULL,             -- 'imap' or 'api'
  from_addr TEXT,
  subject TEXT,
  sent_at TEXT,                     -- the Date header, as UTC
  owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  status TEXT NOT NULL CHECK (status = 'logged' OR status = 'unmatched' OR status = 'refused'),
  detail TEXT,                      -- why, for unmatched and refused
  created_by INTEGER,
  created_at TEXT NOT NULL
);
CREATE INDEX email_log_owner ON email_log(owner_id, id);

CREATE TABLE email_log_activities (
  email_id INTEGER NOT NULL REFERENCES email_log(id) ON DELETE CASCADE,
  activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
  contact_id INTEGER NOT NULL,
  PRIMARY KEY (email_id, activity_id)
);

CREATE TABLE maillog_mailbox (
  url TEXT PRIMARY KEY,             -- the mailbox, without credentials
  uidvalidity INTEGER NOT NULL,
  last_uid INTEGER NOT NULL
);
