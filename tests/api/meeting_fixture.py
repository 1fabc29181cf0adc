"""Meetings with invitees and join links, written straight into a test
database (the live tests need a meeting, not the CRM's way of making one).

The rows follow migration 014's tables (meetings, meeting_invitees); each
invitee gets a random clear link token, stored as its SHA-256 (hex) as the
CRM side stores it.  If a database predates 014 (a branch without it),
ensure_tables() makes the two tables with the columns the live side reads.
"""
import hashlib
import secrets
import sqlite3
import time


def ensure_tables(db):
    c = sqlite3.connect(db)
    try:
        have = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meetings" not in have:
            c.executescript("""
CREATE TABLE meetings (id INTEGER PRIMARY KEY, opportunity_id INTEGER, kind TEXT,
  mode TEXT, title TEXT NOT NULL, starts_at TEXT, duration_minutes INTEGER, timezone TEXT,
  master_id INTEGER, state TEXT NOT NULL DEFAULT 'scheduled', janus_room INTEGER);
CREATE TABLE meeting_invitees (id INTEGER PRIMARY KEY, meeting_id INTEGER NOT NULL,
  kind TEXT, contact_id INTEGER, user_id INTEGER, email TEXT, name TEXT,
  role TEXT NOT NULL DEFAULT 'attendee', join_token_hash TEXT, join_expires_at TEXT,
  rsvp TEXT);
""")
            c.commit()
    finally:
        c.close()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def make_meeting(db, master_id, people, title="Proposal review", expires_in=7200):
    """people: [(name, role, user_id or None)].  Returns (meeting id,
    [{"id", "name", "role", "token"}])."""
    ensure_tables(db)
    c = sqlite3.connect(db)
    try:
        cols = {r[1] for r in c.execute("PRAGMA table_info(meetings)")}
        row = {"title": title, "starts_at": iso(time.time() + 60), "master_id": master_id,
               "state": "scheduled"}
        for k, v in (("duration_minutes", 45), ("timezone", "Europe/Paris"),
                     ("kind", "proposal_review"), ("mode", "web")):
            if k in cols:
                row[k] = v
        cur = c.execute("INSERT INTO meetings (%s) VALUES (%s)" % (
            ", ".join(row), ", ".join("?" * len(row))), list(row.values()))
        mid = cur.lastrowid
        out = []
        for name, role, user in people:
            tok = secrets.token_urlsafe(32)
            h = hashlib.sha256(tok.encode()).hexdigest()
            email = name.lower().replace(" ", ".") + "@example.com"
            cur = c.execute(
                "INSERT INTO meeting_invitees (meeting_id, kind, user_id, email, name, role, "
                "join_token_hash, join_expires_at, rsvp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (mid, "user" if user else "email", user, email, name, role, h,
                 iso(time.time() + expires_in), "accepted"))
            out.append({"id": cur.lastrowid, "name": name, "role": role, "token": tok})
        c.commit()
        return mid, out
    finally:
        c.close()


if __name__ == "__main__":
    # meeting_fixture.py DB MASTER_ID TITLE NAME:ROLE[:USER_ID]... → JSON
    # {"meeting": id, "invitees": [{"id", "name", "role", "token"}]} (for the e2e tests)
    import json
    import sys
    people = []
    for spec in sys.argv[4:]:
        parts = spec.split(":")
        people.append((parts[0], parts[1], int(parts[2]) if len(parts) > 2 else None))
    mid, inv = make_meeting(sys.argv[1], int(sys.argv[2]), people, title=sys.argv[3])
    print(json.dumps({"meeting": mid, "invitees": inv}))
