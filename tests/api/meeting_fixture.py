"""Meetings with invitees and join links, written straight into a test
database (the live tests need a meeting, not the CRM's way of making one).

The rows follow migration 014's tables (meetings, meeting_invitees); each
invitee gets a random clear link token, stored as its SHA-256 (hex) as the
CRM side stores it (only the mail carries the clear token).
"""
import hashlib
import secrets
import sqlite3
import time


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def make_meeting(db, master_id, people, title="Proposal review", expires_in=7200,
                 opportunity_id=None, lobby_id=None):
    """people: [(name, role, user_id or None)] or (name, role, None, True) for a
    contact of the meeting's account (the first one not invited yet).  Returns
    (meeting id, [{"id", "name", "role", "token", "contact_id"}]).  The meeting
    is on opportunity_id (default: the first deal in the database)."""
    c = sqlite3.connect(db)
    c.execute("PRAGMA foreign_keys = ON")
    try:
        if opportunity_id is None:
            opportunity_id = c.execute("SELECT min(id) FROM opportunities").fetchone()[0]
        acc = c.execute("SELECT account_id FROM opportunities WHERE id = ?",
                        (opportunity_id,)).fetchone()[0]
        now = iso(time.time())
        cur = c.execute(
            "INSERT INTO meetings (opportunity_id, account_id, kind, mode, title, starts_at, "
            "duration_minutes, timezone, master_id, lobby_id, state, ical_uid, created_by, "
            "created_at, updated_at) VALUES (?, ?, 'proposal_review', 'web', ?, ?, 45, "
            "'Europe/Paris', ?, ?, 'scheduled', ?, ?, ?, ?)",
            (opportunity_id, acc, title, iso(time.time() + 60), master_id, lobby_id,
             secrets.token_hex(8) + "@funnel.test", master_id, now, now))
        mid = cur.lastrowid
        out = []
        taken = set()
        for person in people:
            name, role, user = person[:3]
            contact = None
            if len(person) > 3 and person[3]:
                contact = c.execute(
                    "SELECT min(id) FROM contacts WHERE account_id = ? AND id NOT IN (%s)"
                    % ",".join(str(x) for x in taken | {0}), (acc,)).fetchone()[0]
                taken.add(contact)
            tok = secrets.token_urlsafe(32)
            h = hashlib.sha256(tok.encode()).hexdigest()
            email = name.lower().replace(" ", ".") + "@example.com"
            cur = c.execute(
                "INSERT INTO meeting_invitees (meeting_id, kind, user_id, contact_id, email, "
                "name, role, join_token_hash, join_expires_at, rsvp, created_at) VALUES (?, ?, "
                "?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (mid, "user" if user else "contact" if contact else "email", user, contact,
                 email, name, role, h, iso(time.time() + expires_in), "accepted", now))
            out.append({"id": cur.lastrowid, "name": name, "role": role, "token": tok,
                        "contact_id": contact})
        c.commit()
        return mid, out
    finally:
        c.close()


if __name__ == "__main__":
    # meeting_fixture.py DB MASTER_ID TITLE NAME:ROLE[:USER_ID|:contact]... → JSON
    # {"meeting": id, "invitees": [{"id", "name", "role", "token"}]} (for the e2e tests)
    import json
    import sys
    people = []
    for spec in sys.argv[4:]:
        parts = spec.split(":")
        if len(parts) > 2 and parts[2] == "contact":
            people.append((parts[0], parts[1], None, True))
        else:
            people.append((parts[0], parts[1], int(parts[2]) if len(parts) > 2 else None))
    mid, inv = make_meeting(sys.argv[1], int(sys.argv[2]), people, title=sys.argv[3])
    print(json.dumps({"meeting": mid, "invitees": inv}))
