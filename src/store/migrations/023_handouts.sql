-- 023_handouts: files sent to a meeting's participants (crm/meetings/handout.c).
--
-- A presenter sends a file — an attachment on the meeting's deal — to
-- everyone in the meeting (invitee_id NULL) or to one invitee; each
-- participant downloads it by their own link, and every download is kept.

CREATE TABLE meeting_handouts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  attachment_id INTEGER NOT NULL REFERENCES attachments(id) ON DELETE CASCADE,
  invitee_id INTEGER REFERENCES meeting_invitees(id) ON DELETE CASCADE, -- NULL: everyone
  sent_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  sent_at TEXT NOT NULL
);
CREATE INDEX meeting_handouts_meeting ON meeting_handouts(meeting_id, id);

CREATE TABLE meeting_handout_downloads (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  handout_id INTEGER NOT NULL REFERENCES meeting_handouts(id) ON DELETE CASCADE,
  invitee_id INTEGER NOT NULL REFERENCES meeting_invitees(id) ON DELETE CASCADE,
  at TEXT NOT NULL
);
CREATE INDEX meeting_handout_downloads_handout ON meeting_handout_downloads(handout_id);
