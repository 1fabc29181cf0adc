-- 019_meeting_polls: live questionnaires launched in meetings (021's
-- templates, crm/meetings/poll.h; docs/questionnaires.md).  A poll keeps its
-- own copy of the questions (checked by questionnaire_check()), so changing
-- or retiring a template later changes no meeting's record.  shown: the host
-- shows the aggregated results to everyone in the room.
CREATE TABLE meeting_polls (
  id BIGINT PRIMARY KEY,
  meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  questionnaire_id BIGINT, -- REFERENCES questionnaires: 021 adds it (it makes the table, after this one)
  title TEXT NOT NULL,
  questions TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
  shown BIGINT NOT NULL DEFAULT 0 CHECK (shown IN (0, 1)),
  launched_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
  launched_at TEXT NOT NULL,
  closed_at TEXT
);
CREATE INDEX meeting_polls_meeting ON meeting_polls(meeting_id, id);

-- One participant's answers to one poll (a JSON object, question key →
-- answer, each checked by questionnaire_check_answer()); answering again while
-- the poll is open replaces them.  contact_id: the contact the invitee is, so
-- the answers stay with the person; the two activities (notes) put them on the
-- contact's timeline and the deal's.
CREATE TABLE meeting_poll_answers (
  id BIGINT PRIMARY KEY,
  poll_id BIGINT NOT NULL REFERENCES meeting_polls(id) ON DELETE CASCADE,
  invitee_id BIGINT NOT NULL REFERENCES meeting_invitees(id) ON DELETE CASCADE,
  contact_id BIGINT REFERENCES contacts(id) ON DELETE SET NULL,
  answers TEXT NOT NULL,
  opportunity_activity_id BIGINT REFERENCES activities(id) ON DELETE SET NULL,
  contact_activity_id BIGINT REFERENCES activities(id) ON DELETE SET NULL,
  answered_at TEXT NOT NULL,
  UNIQUE (poll_id, invitee_id)
);
CREATE INDEX meeting_poll_answers_invitee ON meeting_poll_answers(invitee_id);
CREATE INDEX meeting_poll_answers_contact ON meeting_poll_answers(contact_id);
