-- 014_meetings: eSales web meetings on deals (crm/meetings/meetings.h): the
-- meeting, its invitees with their personal join links (hashed) and answers,
-- lobby themes per sector, and the mail outbox of invitations.  The live side
-- (rooms on Janus, attendance) is 015.

CREATE TABLE lobbies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  industries TEXT,                 -- JSON array of account industries it serves
  welcome TEXT,
  primary_color TEXT,
  accent_color TEXT,
  logo_attachment_id INTEGER REFERENCES attachments(id) ON DELETE SET NULL,
  deck_attachment_id INTEGER REFERENCES attachments(id) ON DELETE SET NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE meetings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
  account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind = 'webinar' OR kind = 'presentation' OR
    kind = 'proposal_review' OR kind = 'negotiation' OR kind = 'follow_up' OR kind = 'training'),
  mode TEXT NOT NULL DEFAULT 'web'
    CHECK (mode = 'web' OR mode = 'audio_conference' OR mode = 'phone'),
  title TEXT NOT NULL,
  description TEXT,
  starts_at TEXT NOT NULL,
  duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 5 AND 1440),
  timezone TEXT NOT NULL,
  master_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  lobby_id INTEGER REFERENCES lobbies(id) ON DELETE SET NULL,
  state TEXT NOT NULL DEFAULT 'scheduled' CHECK (state = 'scheduled' OR state = 'open' OR
    state = 'live' OR state = 'ended' OR state = 'cancelled'),
  activity_id INTEGER REFERENCES activities(id) ON DELETE SET NULL,
  ical_uid TEXT NOT NULL UNIQUE,
  ical_sequence INTEGER NOT NULL DEFAULT 0,
  invited_at TEXT,                 -- when invitations were first sent; NULL: not yet
  janus_room INTEGER,              -- the live side's room (015)
  invitees TEXT NOT NULL DEFAULT '[]', -- JSON: who is invited and their answers (triggers below)
  created_by INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX meetings_opportunity ON meetings(opportunity_id, starts_at);
CREATE INDEX meetings_starts ON meetings(starts_at, id);
CREATE INDEX meetings_master ON meetings(master_id);

CREATE TABLE meeting_invitees (
  id INTEGER PRIMARY KEY,
  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind = 'contact' OR kind = 'user' OR kind = 'email'),
  contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  email TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'attendee'
    CHECK (role = 'master' OR role = 'presenter' OR role = 'attendee'),
  join_token_hash TEXT UNIQUE,     -- SHA-256 (hex) of the link's token; the token is only mailed
  join_expires_at TEXT,
  rsvp TEXT NOT NULL DEFAULT 'needs_action' CHECK (rsvp = 'needs_action' OR
    rsvp = 'accepted' OR rsvp = 'declined' OR rsvp = 'tentative'),
  rsvp_at TEXT,
  mail_state TEXT NOT NULL DEFAULT 'none'
    CHECK (mail_state = 'none' OR mail_state = 'queued' OR mail_state = 'sent' OR
           mail_state = 'failed'),
  mail_error TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (meeting_id, email)
);
CREATE INDEX meeting_invitees_meeting ON meeting_invitees(meeting_id, id);
CREATE INDEX meeting_invitees_contact ON meeting_invitees(contact_id);

-- Mail waiting to go out, and what became of it (the SMTP worker of serve).
CREATE TABLE mail_outbox (
  id INTEGER PRIMARY KEY,
  meeting_id INTEGER REFERENCES meetings(id) ON DELETE CASCADE,
  invitee_id INTEGER REFERENCES meeting_invitees(id) ON DELETE SET NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  method TEXT NOT NULL,            -- the iMIP method: REQUEST or CANCEL
  message TEXT NOT NULL,           -- the whole RFC 5322 message, CRLF line ends
  state TEXT NOT NULL DEFAULT 'queued'
    CHECK (state = 'queued' OR state = 'sent' OR state = 'failed'),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL DEFAULT '',
  last_error TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt_at, id);

-- A meeting is on its deal's timeline as an activity (type meeting); when it
-- ends the activity is done, which is what a stage's "a meeting was held"
-- criterion asks for — whoever ends it (the API, the live room).
CREATE TRIGGER meetings_ended AFTER UPDATE OF state ON meetings
WHEN NEW.state = 'ended' AND OLD.state IS NOT 'ended' AND NEW.activity_id IS NOT NULL
BEGIN
  UPDATE activities SET done_at = strftime('%Y-%m-%dT%H:%M:%SZ','now'),
    updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now'), version = version + 1
  WHERE id = NEW.activity_id AND done_at IS NULL;
END;

-- The meeting's record shows its invitees and their answers: a JSON copy kept
-- by triggers from meeting_invitees (never the link's hash).
CREATE TRIGGER meeting_invitees_shown_insert AFTER INSERT ON meeting_invitees
BEGIN
  UPDATE meetings SET invitees = (SELECT json_group_array(json(x)) FROM (SELECT json_object(
      'id', i.id, 'kind', i.kind, 'contact_id', i.contact_id, 'user_id', i.user_id,
      'email', i.email, 'name', i.name, 'role', i.role, 'rsvp', i.rsvp, 'rsvp_at', i.rsvp_at,
      'mail', i.mail_state, 'mail_error', i.mail_error,
      'has_link', json(CASE WHEN i.join_token_hash IS NULL THEN 'false' ELSE 'true' END)) AS x
    FROM meeting_invitees i WHERE i.meeting_id = NEW.meeting_id ORDER BY i.id))
  WHERE id = NEW.meeting_id;
END;
CREATE TRIGGER meeting_invitees_shown_update AFTER UPDATE ON meeting_invitees
BEGIN
  UPDATE meetings SET invitees = (SELECT json_group_array(json(x)) FROM (SELECT json_object(
      'id', i.id, 'kind', i.kind, 'contact_id', i.contact_id, 'user_id', i.user_id,
      'email', i.email, 'name', i.name, 'role', i.role, 'rsvp', i.rsvp, 'rsvp_at', i.rsvp_at,
      'mail', i.mail_state, 'mail_error', i.mail_error,
      'has_link', json(CASE WHEN i.join_token_hash IS NULL THEN 'false' ELSE 'true' END)) AS x
    FROM meeting_invitees i WHERE i.meeting_id = NEW.meeting_id ORDER BY i.id))
  WHERE id = NEW.meeting_id;
END;
CREATE TRIGGER meeting_invitees_shown_delete AFTER DELETE ON meeting_invitees
BEGIN
  UPDATE meetings SET invitees = (SELECT json_group_array(json(x)) FROM (SELECT json_object(
      'id', i.id, 'kind', i.kind, 'contact_id', i.contact_id, 'user_id', i.user_id,
      'email', i.email, 'name', i.name, 'role', i.role, 'rsvp', i.rsvp, 'rsvp_at', i.rsvp_at,
      'mail', i.mail_state, 'mail_error', i.mail_error,
      'has_link', json(CASE WHEN i.join_token_hash IS NULL THEN 'false' ELSE 'true' END)) AS x
    FROM meeting_invitees i WHERE i.meeting_id = OLD.meeting_id ORDER BY i.id))
  WHERE id = OLD.meeting_id;
END;
