-- 015_meetings_live: the live side of meetings (014): rooms on Janus, who is
-- waiting in the lobby or admitted, who presents, and attendance from Janus's
-- event handler (src/crm/meetings/room.c, attendance.c; docs/meetings-live.md).
--
-- One row per meeting whose room has been opened on Janus (meetings.janus_room
-- holds the room id): whether the master locked it (no one new gets in) and
-- whether invitees skip the lobby.
CREATE TABLE meeting_rooms (
  meeting_id INTEGER PRIMARY KEY REFERENCES meetings(id) ON DELETE CASCADE,
  locked INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
  admit_all INTEGER NOT NULL DEFAULT 0 CHECK (admit_all IN (0, 1)),
  opened_at TEXT NOT NULL,
  ended_at TEXT
);

-- An invitee's place in the live meeting.  knocked_at: they opened the lobby
-- and asked to come in; admitted_at: the master let them (or admit_all did);
-- removed_at: the master put them out (they cannot come back).  presenter: 1
-- while their Janus token is in the room's `allowed` list (token_expiry is
-- that token's expiry, from which Funnel signs it again to take it out).
CREATE TABLE meeting_participants (
  invitee_id INTEGER PRIMARY KEY REFERENCES meeting_invitees(id) ON DELETE CASCADE,
  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  knocked_at TEXT,
  admitted_at TEXT,
  removed_at TEXT,
  presenter INTEGER NOT NULL DEFAULT 0 CHECK (presenter IN (0, 1)),
  token_expiry INTEGER
);
CREATE INDEX meeting_participants_meeting ON meeting_participants(meeting_id);

-- Presence as Janus reports it: one row per Janus handle a participant's
-- browser attached with the token Funnel signed for them (the token names the
-- room and the invitee, so the row is matched by a value only Funnel can
-- make).  left_reason: 'left' (handle detached), 'destroyed' (session closed)
-- or 'timeout' (the browser went away; counted as leaving).  Instants in
-- milliseconds since the epoch, from Janus's own timestamps.
CREATE TABLE meeting_presence (
  id INTEGER PRIMARY KEY,
  janus_room INTEGER NOT NULL,
  invitee_id INTEGER NOT NULL,
  janus_session INTEGER NOT NULL,
  janus_handle INTEGER NOT NULL UNIQUE,
  joined_ms INTEGER NOT NULL,
  left_ms INTEGER,
  left_reason TEXT CHECK (left_reason IN ('left', 'destroyed', 'timeout'))
);
CREATE INDEX meeting_presence_invitee ON meeting_presence(invitee_id, joined_ms);
CREATE INDEX meeting_presence_open ON meeting_presence(janus_session) WHERE left_ms IS NULL;
