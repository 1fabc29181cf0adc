"""Every route as every role.

Reads the OpenAPI document the server serves and, for every operation in it,
sends a real request (path parameters bound to records this test made, a body
built from the operation's request schema) as six principals that must not be
able to touch a rep's records:

    other_team   a rep of another team (West)
    same_team    a rep of the target's own team (East-1): reps see only their own
    other_mgr    the manager of another subtree (West)
    disabled     an admin whose account was then disabled
    revoked      an admin's API token that was then revoked
    anonymous    no credentials at all

The target is rep_e1 (East-1, under mgr_east).  Every record the target owns
carries MARK in its text.  Each answer is checked against the API's rules
(src/crm/records/principal.h, docs/api.md):

  - no, disabled or revoked credentials: 401 problem+json on every route that
    is not public;
  - a record outside what the caller sees: 404, as for one that does not exist;
  - an action the caller's role may not take: 403;
  - a list or report: 200 without a trace of the target's records (MARK);
  - and, whatever the answer, nothing changed: every row of every table
    (bookkeeping tables aside, see VOLATILE) and the attachment store are the
    same after the request as before.

A route added to the server (and so to its OpenAPI document) is exercised
without a test written for it: its `{id}` is bound by the resource its path
names (BIND), its body is synthesised from its schema, and what a hidden
record answers follows from its method.  When the test cannot exercise an
operation — a path parameter or a required body member it does not know how
to fill — it fails naming the operation, never skipping it.  The answers that
differ from the default rule are listed in EXPECT with the reason; what a role
may legitimately do (a manager writes forms, anyone saves their own filter) is
in ALLOWED and not sent; OWN_ONLY and PUBLIC are the other exceptions.
"""
import json
import os
import re
import time
import unittest
import urllib.parse

import harness
from harness import PASSWORD, Server, ServerTest, connect, org

MARK = "Zq7Target"
METHODS = ("get", "post", "put", "patch", "delete")
ROLES = ("other_team", "same_team", "other_mgr", "disabled", "revoked", "anonymous")
SIGNED_IN = ("other_team", "same_team", "other_mgr")

# Operations the test does not send as the signed-in roles, and why.  They are
# still sent without, or with dead, credentials (401 unless public).
OWN_ONLY = {
    # acts on the caller's own session: logging rep_w out proves nothing and
    # would end the session the rest of the test uses
    ("POST", "/api/v1/auth/logout"): "the caller's own session",
    # these answer about the caller only (nothing of the target's to reach)
    ("GET", "/api/v1/me"): "the caller's own identity",
    ("GET", "/api/v1/tokens"): "the caller's own tokens",
    ("POST", "/api/v1/tokens"): "makes a token for the caller only",
    ("POST", "/api/v1/me/calendar_feed"): "makes a calendar feed for the caller only",
}
# Public by design (security: [] in the document).  The test insists the
# document's public operations are exactly these, so none turns public
# unnoticed.
PUBLIC = {
    ("GET", "/healthz"): "load balancers probe it",
    ("GET", "/api/v1/openapi.json"): "the API's own description",
    ("POST", "/api/v1/auth/login"): "how credentials are obtained",
    ("GET", "/f/{slug}"): "a web form prospects fill in",
    ("POST", "/f/{slug}"): "a web form's submission (makes a lead, by design)",
    # an invitee's unguessable token is their credential (docs/meetings.md);
    # a forged or revoked one answers 404 (test_meetings, test_meetings_live)
    ("GET", "/api/v1/rsvp/{token}"): "an invitee's answer page, by their link",
    ("POST", "/api/v1/rsvp/{token}"): "an invitee's answer, by their link",
    ("GET", "/m/{token}"): "an invitee's lobby page, by their link",
    ("GET", "/api/v1/join/{token}"): "what an invitee's link lets them join",
    ("POST", "/api/v1/join/{token}"): "an invitee joining by their link",
    ("GET", "/api/v1/join/{token}/lobby/{asset}"): "the lobby's logo and deck, by the link",
    ("GET", "/api/v1/join/{token}/handouts"): "the files sent to an invitee, by their link",
    ("GET", "/api/v1/join/{token}/handouts/{item}"): "one of them, by the link",
    # a calendar program polls with the URL's unguessable token as its
    # credential (docs/calendar-vcard.md); a forged or revoked one answers 404
    # (test_calendar_feed)
    ("GET", "/cal/{token}"): "a user's calendar feed, by its private URL",
    # a participant's polls and answers, by their link (test_polls)
    ("GET", "/api/v1/join/{token}/polls"): "the polls an invitee's link lets them answer",
    ("POST", "/api/v1/join/{token}/polls/{poll}"): "an invitee answering by their link",
    # Janus's event handler, authenticated by the events secret instead
    # (docs/meetings-live.md, test_meetings_live)
    ("POST", "/api/v1/janus/events"): "Janus reports attendance with its own secret",
}

# Bookkeeping that a refused request may legitimately touch.
VOLATILE = {
    "sessions",         # last_seen of the caller's own session
    "api_tokens",       # last_used_at of the caller's own token
    "auth_throttle",    # failed-login counters
    "form_hits",        # public form rate limiting
    "idempotency",      # replay cache of the caller's own keys
}

# How a `{name}` path parameter is bound: the collection before `{id}` names
# the record (a key of the fixture); other names are listed here.
BIND = {
    "users": "user", "teams": "team", "accounts": "account", "contacts": "contact",
    "leads": "lead", "opportunities": "opportunity", "activities": "activity",
    "pipelines": "pipeline", "lost_reasons": "lost_reason", "forms": "form",
    "templates": "template", "saved_filters": "saved_filter", "attachments": "attachment",
    "handovers": "handover", "scoring/rules": "scoring_rule", "tokens": "token",
    "meetings": "meeting", "lobbies": "lobby", "questionnaires": "questionnaire",
    "webhooks": "webhook", "imports": "import",
}
PARAMS = {"period": "2026-Q4", "item_id": "handover_item", "slug": "form_slug",
          "invitee": "invitee", "event": "webhook_event", "poll": "poll"}

# Query strings for operations whose parameters are described in prose only.
QUERY = {
    ("POST", "/api/v1/attachments"): lambda f: {
        "related_type": "opportunity", "related_id": f["opportunity"], "filename": "x.txt"},
    ("GET", "/api/v1/attachments"): lambda f: {
        "related_type": "opportunity", "related_id": f["opportunity"]},
    ("GET", "/api/v1/reports/performance"): lambda f: {"period": "2026-Q4"},
    ("POST", "/api/v1/imports"): lambda f: {"resource": "accounts"},
    ("GET", "/api/v1/forecast/rollup"): lambda f: {"period": "2026-Q4", "team_id": f["team"]},
    ("GET", "/api/v1/forecast/accuracy"): lambda f: {"period": "2026-Q3", "scope": "user",
                                                     "user_id": f["user"]},
    ("GET", "/api/v1/forecast/backtest"): lambda f: {"from": "2025-Q4", "to": "2026-Q3"},
}
# Raw bodies for operations that take no JSON (bytes, or made from the fixture).
RAW = {
    ("POST", "/api/v1/attachments"): (b"hello from the other side\n", "text/plain"),
    ("POST", "/api/v1/imports"): (b"name\nSneaky Imported\n", "text/csv"),
    # a calendar program's answer for the target's meeting
    ("POST", "/api/v1/imip"): (lambda f: (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:REPLY\r\n"
        "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20270101T000000Z\r\nSEQUENCE:0\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=Ann:mailto:ann@client.example\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n" % f["meeting_uid"]).encode(), "text/calendar"),
    # the target's mail to the target's contact, handed over by someone else
    ("POST", "/api/v1/email_log"): (lambda f: (
        "From: %s\r\nTo: %s\r\nSubject: Sneaky\r\nMessage-ID: <sneaky@test.funnel>\r\n"
        "\r\nHello\r\n" % (f["user_email"], f["contact_email"])).encode(), "message/rfc822"),
    # a card with the target's contact's e-mail, to update it (contact_vcard.h)
    ("POST", "/api/v1/contacts.vcf"): (lambda f: (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Taken Over\r\nEMAIL:%s\r\nTITLE:Owned\r\n"
        "END:VCARD\r\n" % f["contact_email"]).encode(), "text/vcard"),
}

# Bodies the synthesiser cannot make well enough to reach the access check.
BODY = {
    "PipelineCreate": lambda f: {"name": "Sneaky", "stages": [
        {"key": "a", "name": "A", "probability": 10, "section": "upper"},
        {"key": "w", "name": "W", "section": "won"},
        {"key": "l", "name": "L", "section": "lost"}]},
    "PipelineUpdate": lambda f: {"name": "Renamed pipeline"},
    "StageReassign": lambda f: {},
    "Move": lambda f: {"stage": "qualified"},
    "InstallmentsSet": lambda f: {"installments": [{"due_date": "2026-12-15",
                                                    "amount": "10.00"}]},
    "LeadConversion": lambda f: {},
    "HandoverUpdate": lambda f: {"status": "cancelled"},
    "HandoverItemUpdate": lambda f: {"included": False},
    "ScoringTiersSet": lambda f: {"A": 90, "B": 60, "C": 30},
    "FormCreate": lambda f: {"slug": "sneaky", "name": "Sneaky", "fields": [
        {"name": "last_name", "label": "Name", "type": "text", "required": True,
         "maps_to": "last_name"}]},
    "ForecastSubmissionCreate": lambda f: {"period": "2026-Q4", "scope": "team",
                                           "team_id": f["team"], "commit": "1.00",
                                           "best_case": "2.00"},
    "DocumentCreate": lambda f: {"template_id": f["template"]},
    "UserCreate": lambda f: {"email": "sneaky@test.funnel", "name": "Sneaky",
                             "role": "admin", "team_id": f["team"],
                             "password": "a long sneaky password"},
    "HandoverCreate": lambda f: {"from_user": f["user"]},
    "SavedFilterCreate": lambda f: {"name": "Sneaky", "resource": "opportunities",
                                    "query": "status=open"},
    "QuestionnaireCreate": lambda f: {"name": "Sneaky", "questions": [
        {"key": "q", "text": "Why?", "kind": "text"}]},
    "WebhookCreate": lambda f: {"url": "http://127.0.0.1:9/sneaky",
                                "events": ["opportunity.won"]},
}

# Answers that differ from the default rule, for the signed-in roles.  The
# default: a route with a path parameter answers 404 (the target's record is
# hidden); a collection read 200 without MARK; a collection write is refused
# with 403, 404, or 400 naming only members the test pointed at the target's
# records.  Each entry: (method, pattern) → a status for all three, or
# {role: status}.
R = 403  # the role may not
REPS = ("other_team", "same_team")


def reps(status, mgr):
    return {"other_team": status, "same_team": status, "other_mgr": mgr}


EXPECT = {
    # users, teams, lost reasons, pipelines, forms, templates and scoring rules
    # are read by everyone signed in (VIS_ALL), their history with them
    ("GET", "/api/v1/users/{id}"): 200, ("GET", "/api/v1/users/{id}/history"): 200,
    ("GET", "/api/v1/teams/{id}"): 200, ("GET", "/api/v1/teams/{id}/history"): 200,
    ("GET", "/api/v1/lost_reasons/{id}"): 200,
    ("GET", "/api/v1/lost_reasons/{id}/history"): 200,
    ("GET", "/api/v1/pipelines/{id}"): 200,
    ("GET", "/api/v1/forms/{id}"): 200, ("GET", "/api/v1/forms/{id}/history"): 200,
    ("GET", "/api/v1/forms/{id}/embed"): 200,
    ("GET", "/api/v1/templates/{id}"): 200, ("GET", "/api/v1/templates/{id}/history"): 200,
    ("GET", "/api/v1/scoring/rules/{id}"): 200,
    ("GET", "/api/v1/scoring/rules/{id}/history"): 200,
    ("GET", "/api/v1/lobbies/{id}"): 200, ("GET", "/api/v1/lobbies/{id}/history"): 200,
    ("GET", "/api/v1/questionnaires/{id}"): 200,
    ("GET", "/api/v1/questionnaires/{id}/history"): 200,
    # the card names the target's contact by e-mail: not one the caller sees,
    # so not matched; a new contact needs an ORG or ?account_id=, so the card
    # is refused on its line (400 "line 1") and nothing is written
    ("POST", "/api/v1/contacts.vcf"): 400,
    # lobbies are an admin's; questionnaires a manager's (ALLOWED)
    ("POST", "/api/v1/lobbies"): R, ("PATCH", "/api/v1/lobbies/{id}"): R,
    ("DELETE", "/api/v1/lobbies/{id}"): R,
    ("POST", "/api/v1/questionnaires"): R, ("PATCH", "/api/v1/questionnaires/{id}"): R,
    ("DELETE", "/api/v1/questionnaires/{id}"): R,
    # quotas are read by everyone signed in (docs/api.md); set by admins, and by
    # managers for their own subtree only
    ("GET", "/api/v1/users/{id}/quotas"): 200, ("PUT", "/api/v1/users/{id}/quotas/{period}"): R,
    # written by admins only (write_role ROLE_ADMIN)
    ("POST", "/api/v1/users"): R, ("PATCH", "/api/v1/users/{id}"): R,
    ("DELETE", "/api/v1/users/{id}"): R,
    ("POST", "/api/v1/teams"): R, ("PATCH", "/api/v1/teams/{id}"): R,
    ("DELETE", "/api/v1/teams/{id}"): R,
    ("POST", "/api/v1/pipelines"): R, ("PATCH", "/api/v1/pipelines/{id}"): R,
    ("DELETE", "/api/v1/pipelines/{id}"): R,
    ("POST", "/api/v1/lost_reasons"): R, ("PATCH", "/api/v1/lost_reasons/{id}"): R,
    ("DELETE", "/api/v1/lost_reasons/{id}"): R,
    ("POST", "/api/v1/scoring/rules"): R, ("PATCH", "/api/v1/scoring/rules/{id}"): R,
    ("DELETE", "/api/v1/scoring/rules/{id}"): R,
    ("POST", "/api/v1/scoring/train"): R, ("PUT", "/api/v1/scoring/tiers"): R,
    # written by managers and admins (write_role ROLE_MANAGER): reps 403, and
    # a manager's writes are allowed (ALLOWED)
    ("POST", "/api/v1/forms"): R, ("PATCH", "/api/v1/forms/{id}"): R,
    ("DELETE", "/api/v1/forms/{id}"): R,
    ("POST", "/api/v1/templates"): R, ("PATCH", "/api/v1/templates/{id}"): R,
    ("DELETE", "/api/v1/templates/{id}"): R,
    # asked about the target's record, team or person: not found
    ("GET", "/api/v1/attachments"): 404,
    ("GET", "/api/v1/forecast/rollup"): 404,
    ("GET", "/api/v1/forecast/accuracy"): 404,
    # for managers and admins: a rep is refused before anything is looked up,
    # a manager of another subtree finds neither the leaver nor the plan
    ("GET", "/api/v1/forecast/backtest"): reps(R, 200),
    ("GET", "/api/v1/scoring/model"): reps(R, 200),
    ("GET", "/api/v1/handovers"): reps(R, 200),
    ("POST", "/api/v1/handovers"): reps(R, 404),
    ("GET", "/api/v1/handovers/{id}"): reps(R, 404),
    ("PATCH", "/api/v1/handovers/{id}"): reps(R, 404),
    ("PATCH", "/api/v1/handovers/{id}/items/{item_id}"): reps(R, 404),
    ("POST", "/api/v1/handovers/{id}/execute"): reps(R, 404),
}

# What a signed-in role may legitimately do, so the test does not send it (it
# would change the database by design).  role tuple and why.
ALLOWED = {
    ("POST", "/api/v1/forms"): (("other_mgr",), "any manager writes forms (form.c)"),
    ("PATCH", "/api/v1/forms/{id}"): (("other_mgr",), "any manager writes forms"),
    ("DELETE", "/api/v1/forms/{id}"): (("other_mgr",), "any manager writes forms"),
    ("POST", "/api/v1/templates"): (("other_mgr",), "any manager writes templates"),
    ("PATCH", "/api/v1/templates/{id}"): (("other_mgr",), "any manager writes templates"),
    ("DELETE", "/api/v1/templates/{id}"): (("other_mgr",), "any manager writes templates"),
    ("POST", "/api/v1/questionnaires"): (("other_mgr",), "any manager writes questionnaires"),
    ("PATCH", "/api/v1/questionnaires/{id}"): (("other_mgr",),
                                               "any manager writes questionnaires"),
    ("DELETE", "/api/v1/questionnaires/{id}"): (("other_mgr",),
                                                "any manager writes questionnaires"),
    ("POST", "/api/v1/saved_filters"): (SIGNED_IN,
                                        "one's own saved filter (VIS_SELF)"),
    ("POST", "/api/v1/imports"): (SIGNED_IN, "anyone imports records of their own, as "
                                  "themselves (test_import_journal.Upload)"),
}


def deref(doc, node):
    """Follow local $refs."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


REACHED = set()  # body members the synthesiser pointed at the target's records


class CannotExercise(AssertionError):
    pass


def sample(doc, name, prop, schema, f, where):
    """A valid value for member `name` of a request body."""
    schema = deref(doc, schema)
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    desc = schema.get("description", "")
    if "enum" in schema:
        return schema["enum"][0]
    REACHED.add(name)
    if name == "owner_id" or name.endswith("user_id") or name in ("from_user", "successor",
                                                                   "manager", "new_owner_id"):
        return f["user"]  # the target: giving to / acting on another's person
    if name.endswith("_id") and ("integer" in types):
        m = re.search(r"an id of (\w+)", desc)
        key = BIND.get(m.group(1)) if m else BIND.get(name[:-3] + "s")
        if name == "related_id":
            key = "opportunity"
        if key and key in f:
            return f[key]
        raise CannotExercise("%s: cannot bind member %s (%s)" % (where, name, desc))
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-12-01"
    if fmt == "date-time":
        return "2026-12-01T10:00:00Z"
    if fmt == "email":
        return "sneaky@test.funnel"
    if "pattern" in schema and "[0-9]" in schema["pattern"]:
        return "1.00"
    if "string" in types:
        return "Sneaky"
    if "integer" in types or "number" in types:
        return max(1, schema.get("minimum", 1))
    if "boolean" in types:
        return False
    raise CannotExercise("%s: cannot synthesise member %s (%s)" % (where, name, schema))


def body_for(doc, op, f, where):
    rb = op.get("requestBody")
    if not rb:
        return None
    content = rb.get("content", {})
    if "application/json" not in content:
        raise CannotExercise("%s: request body of type %s" % (where, list(content)))
    ref = content["application/json"]["schema"]
    sname = ref.get("$ref", "").rsplit("/", 1)[-1]
    if sname in BODY:
        REACHED.update(k for k, v in BODY[sname](f).items() if k.endswith("_id") or
                       k in ("from_user",))
        return BODY[sname](f)
    schema = deref(doc, ref)
    props = schema.get("properties", {})
    out = {}
    for name in schema.get("required", []):
        out[name] = sample(doc, name, name, props.get(name, {}), f, where)
    # reach for the target's records wherever the body may name them
    for name in ("account_id", "contact_id", "opportunity_id", "lead_id", "owner_id"):
        if name in props and name not in out:
            out[name] = sample(doc, name, name, props[name], f, where)
    if "related_type" in props:
        REACHED.add("related_id")
        out["related_type"] = "opportunity"
        out["related_id"] = f["opportunity"]
    return out


def bind_path(pattern, f, where):
    parts = pattern.split("/")
    out = []
    for i, part in enumerate(parts):
        m = re.fullmatch(r"\{(\w+)\}", part)
        if not m:
            out.append(part)
            continue
        name = m.group(1)
        if name == "id":
            coll = parts[i - 1]
            if parts[i - 2] == "scoring":
                coll = "scoring/" + coll
            key = BIND.get(coll)
        else:
            key = PARAMS.get(name)
        if key is None:
            raise CannotExercise("%s: cannot bind path parameter {%s}: add it to BIND/PARAMS"
                                 % (where, name))
        out.append(str(f.get(key, key)))
    return "/".join(out)


class EveryRoute(ServerTest):
    @classmethod
    def setUpClass(cls):
        # no background writers (the weekly forecast snapshot, scheduled
        # retraining): every change between two snapshots is the request's
        cls.s = Server(args=["--snapshot-interval", "0", "--scoring-interval", "0"])
        s = cls.s
        cls.o = o = org(s)
        admin = o["admin"]["token"]
        rep = o["rep_e1"]["token"]
        f = cls.f = {"user": o["rep_e1"]["id"], "team": o["teams"]["east1"]}
        f["account"] = s.create("accounts", {"name": MARK + " Corp"}, rep)["id"]
        f["contact_email"] = "zq7target.smith@client.example"
        f["contact"] = s.create("contacts", {"account_id": f["account"],
                                             "last_name": MARK + " Smith",
                                             "email": f["contact_email"]}, rep)["id"]
        f["user_email"] = o["rep_e1"]["email"]
        f["lead"] = s.create("leads", {"last_name": MARK + " Lead", "company": MARK},
                             rep)["id"]
        f["opportunity"] = s.create("opportunities", {
            "name": MARK + " deal", "account_id": f["account"], "contact_id": f["contact"],
            "close_date": "2026-12-01", "amount": "1000.00"}, rep)["id"]
        f["activity"] = s.create("activities", {
            "type": "call", "subject": MARK + " call", "related_type": "opportunity",
            "related_id": f["opportunity"]}, rep)["id"]
        f["saved_filter"] = s.create("saved_filters", {
            "name": MARK + " filter", "resource": "opportunities",
            "query": "q=" + MARK}, rep)["id"]
        r = s.post("/api/v1/tokens", {"name": MARK + " token"}, rep)
        assert r.status == 201, r
        f["token"] = r.json["id"]
        q = urllib.parse.urlencode({"related_type": "opportunity",
                                    "related_id": f["opportunity"],
                                    "filename": MARK + ".txt"})
        r = s.request("POST", "/api/v1/attachments?" + q, raw=b"secret notes\n", token=rep,
                      content_type="text/plain")
        assert r.status == 201, r
        f["attachment"] = r.json["id"]
        f["pipeline"] = s.get("/api/v1/pipelines", admin).json["data"][0]["id"]
        f["lost_reason"] = s.create("lost_reasons", {"name": "Too dear"}, admin)["id"]
        f["template"] = s.create("templates", {"kind": "other", "name": "T",
                                               "body": "Hi {{account.name}}"}, admin)["id"]
        form = s.create("forms", {"slug": "contact-us", "name": "Contact", "fields": [
            {"name": "last_name", "label": "Name", "type": "text", "required": True,
             "maps_to": "last_name"}]}, admin)
        f["form"], f["form_slug"] = form["id"], form["slug"]
        f["scoring_rule"] = s.create("scoring/rules", {"field": "industry",
                                                       "operator": "equals",
                                                       "value": "Software",
                                                       "points": 10}, admin)["id"]
        r = s.post("/api/v1/handovers", {"from_user": f["user"],
                                         "successor": o["rep_e1b"]["id"]},
                   o["mgr_east"]["token"])
        assert r.status == 201, r
        f["handover"] = r.json["id"]
        f["handover_item"] = next(it["id"] for sec in r.json["sections"].values()
                                  for it in sec)
        # a meeting on the target's deal, someone invited; a lobby, a
        # questionnaire; a webhook on an event nothing in the test fires
        m = s.create("meetings", {"opportunity_id": f["opportunity"], "kind": "presentation",
                                  "title": MARK + " demo", "starts_at": "2027-01-15T09:00:00Z",
                                  "duration_minutes": 30, "timezone": "Europe/Paris"}, rep)
        f["meeting"], f["meeting_uid"] = m["id"], m["ical_uid"]
        r = s.post("/api/v1/meetings/%d/invitees" % m["id"],
                   {"email": "ann@client.example", "name": MARK + " Ann"}, rep)
        assert r.status == 201, r
        f["invitee"] = r.json["id"]
        # the meeting live (as room_open leaves it, without Janus) and a poll in it
        db = connect(s.db)
        db.execute("UPDATE meetings SET state = 'live', janus_room = 1 WHERE id = ?", (m["id"],))
        db.commit()
        db.close()
        r = s.post("/api/v1/meetings/%d/polls" % m["id"], {"title": MARK + " poll", "questions": [
            {"key": "q", "text": "What matters?", "kind": "text"}]}, rep)
        assert r.status == 201, r
        f["poll"] = r.json["id"]
        f["lobby"] = s.create("lobbies", {"name": "Tech", "industries": ["Software"]},
                              admin)["id"]
        f["questionnaire"] = s.create("questionnaires", {"name": "Discovery", "questions": [
            {"key": "q", "text": "What matters?", "kind": "text"}]}, admin)["id"]
        f["webhook"] = s.create("webhooks", {"url": "http://127.0.0.1:9/hook",
                                             "events": ["lead.converted"]}, admin)["id"]
        f["webhook_event"] = 1
        # an import the target ran from the command line (its file named with MARK)
        path = os.path.join(s.tmp, MARK + ".csv")
        with open(path, "w") as fh:
            fh.write("name\n%s Imported\n" % MARK)
        p = harness.run(["import", "--db", s.db, "--as", o["rep_e1"]["email"], "accounts",
                         path])
        assert p.returncode == 0, p.stderr
        db = connect(s.db)
        f["import"] = db.execute("SELECT max(id) FROM imports").fetchone()[0]
        db.close()
        # dead credentials: a disabled admin, a revoked admin token
        u = s.create("users", {"email": "gone@test.funnel", "name": "Gone", "role": "admin",
                               "password": PASSWORD}, admin)
        gone = s.login("gone@test.funnel")
        r = s.patch("/api/v1/users/%d" % u["id"], {"active": False}, admin)
        assert r.status == 200, r
        r = s.post("/api/v1/tokens", {"name": "soon revoked"}, admin)
        assert r.status == 201, r
        revoked = r.json["token"]
        assert s.delete("/api/v1/tokens/%d" % r.json["id"], admin).status == 204
        cls.tokens = {"other_team": o["rep_w"]["token"], "same_team": o["rep_e1b"]["token"],
                      "other_mgr": o["mgr_west"]["token"], "disabled": gone,
                      "revoked": revoked, "anonymous": None}
        cls.doc = s.get("/api/v1/openapi.json").json
        cls.files = os.path.join(s.tmp, "files")
        # what the set-up owes in the background (a new lead's score) lands
        # before the matrix starts: wait until two snapshots agree
        prev = cls.snapshot(cls)
        for _ in range(40):
            time.sleep(0.25)
            cur = cls.snapshot(cls)
            if cur == prev:
                break
            prev = cur

    # --- state -------------------------------------------------------------
    def snapshot(self):
        db = connect(self.s.db, readonly=True)
        try:
            out = {}
            tables = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE "
                "'sqlite_%' AND name NOT LIKE '%_search%'")]
            for t in tables:
                if t in VOLATILE:
                    continue
                out[t] = sorted(repr(r) for r in db.execute('SELECT * FROM "%s"' % t))
        finally:
            db.close()
        files = []
        for root, _, names in os.walk(self.s.tmp):
            for n in names:
                if not n.startswith("funnel.db") and n != "server.log":
                    files.append(os.path.relpath(os.path.join(root, n), self.s.tmp))
        out["files"] = sorted(files)
        return out

    def diff(self, a, b):
        return {k: (len(a.get(k, [])), len(b.get(k, []))) for k in set(a) | set(b)
                if a.get(k) != b.get(k)}

    # --- the matrix --------------------------------------------------------
    def operations(self):
        for pattern, item in self.doc["paths"].items():
            for m, op in item.items():
                if m in METHODS:
                    yield m.upper(), pattern, op

    def test_public_operations_are_exactly_the_listed_ones(self):
        public = {(m, p) for m, p, op in self.operations()
                  if op.get("security", self.doc.get("security")) == []}
        self.assertEqual(public, set(PUBLIC))

    def test_lists_name_only_documented_operations(self):
        ops = {(m, p) for m, p, _ in self.operations()}
        for table in (OWN_ONLY, EXPECT, QUERY, RAW, PUBLIC, ALLOWED):
            self.assertEqual(set(table) - ops, set(), "stale entries")

    def send(self, method, pattern, op, role):
        where = "%s %s" % (method, pattern)
        path = bind_path(pattern, self.f, where)
        if (method, pattern) in QUERY:
            path += "?" + urllib.parse.urlencode(QUERY[(method, pattern)](self.f))
        if (method, pattern) in RAW:
            raw, ct = RAW[(method, pattern)]
            raw = raw(self.f) if callable(raw) else raw
            return self.s.request(method, path, raw=raw, token=self.tokens[role],
                                  content_type=ct)
        body = body_for(self.doc, op, self.f, where)
        return self.s.request(method, path, body=body, token=self.tokens[role])

    def expected(self, method, pattern, role):
        """The status, or a set of acceptable statuses, the rules call for."""
        if role not in SIGNED_IN:
            return {401}
        e = EXPECT.get((method, pattern))
        if isinstance(e, dict):
            e = e.get(role)
        if e is not None:
            return {e}
        has_param = "{" in pattern
        if has_param:
            return {404}
        if method == "GET":
            return {200}
        # a write to a collection naming the target's records or giving to the
        # target: refused, either as not allowed or as not found
        return {403, 404}

    def test_an_operation_it_cannot_exercise_fails(self):
        """A route with a parameter or a body member the test cannot fill is a
        failure naming it, not a skip."""
        with self.assertRaisesRegex(CannotExercise, r"\{id\}.*BIND"):
            bind_path("/api/v1/widgets/{id}", self.f, "GET /api/v1/widgets/{id}")
        with self.assertRaisesRegex(CannotExercise, "wat"):
            body_for(self.doc, {"requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "required": ["wat"],
                "properties": {"wat": {"type": "object"}}}}}}}, self.f, "POST /x")
        with self.assertRaisesRegex(CannotExercise, "multipart"):
            body_for(self.doc, {"requestBody": {"content": {"multipart/form-data": {}}}},
                     self.f, "POST /x")

    def test_the_marker_shows_where_it_may(self):
        """The absence of MARK proves something only if those who may see the
        records find it: the owner and their manager do, in every list."""
        for who in ("rep_e1", "mgr_east"):
            for res in ("accounts", "contacts", "leads", "opportunities", "activities"):
                r = self.s.get("/api/v1/" + res, self.o[who]["token"])
                self.assertEqual(r.status, 200, r)
                self.assertIn(MARK, r.raw, (who, res))

    def test_lists_filtered_on_the_target(self):
        """Every list that takes owner_id (or account_id, related_id), asked for
        the target's, shows none of it."""
        aims = {"owner_id": self.f["user"], "account_id": self.f["account"],
                "contact_id": self.f["contact"], "opportunity_id": self.f["opportunity"]}
        n = 0
        for method, pattern, op in self.operations():
            if method != "GET" or "{" in pattern or (method, pattern) in PUBLIC:
                continue
            names = {deref(self.doc, x).get("name") for x in op.get("parameters", [])}
            for name in sorted(names & set(aims)):
                for role in SIGNED_IN:
                    q = dict(QUERY[(method, pattern)](self.f)) if (method, pattern) in QUERY \
                        else {}
                    q[name] = aims[name]
                    before = self.snapshot()
                    r = self.s.get(pattern + "?" + urllib.parse.urlencode(q),
                                   self.tokens[role])
                    with self.subTest(op=pattern, param=name, role=role):
                        self.assertIn(r.status, (200, 400, 404), r)
                        self.assertNotIn(MARK, r.raw)
                        self.assertEqual(self.snapshot(), before)
                    n += 1
        self.assertGreater(n, 10)

    def test_every_operation_as_every_role(self):
        seen = 0
        problems = []
        for method, pattern, op in self.operations():
            if (method, pattern) in PUBLIC:
                continue
            for role in ROLES:
                if role in SIGNED_IN and (method, pattern) in OWN_ONLY:
                    continue
                if role in ALLOWED.get((method, pattern), ((), ""))[0]:
                    continue
                before = self.snapshot()
                try:
                    r = self.send(method, pattern, op, role)
                except CannotExercise as x:
                    problems.append(str(x))
                    break
                after = self.snapshot()
                seen += 1
                want = self.expected(method, pattern, role)
                tag = "%s %s as %s" % (method, pattern, role)
                if r.status == 400 and 400 not in want and "{" not in pattern and \
                        method != "GET" and role in SIGNED_IN:
                    # a reference to the target's records refused on its field
                    fields = {x.get("field", "").split(".")[0]
                              for x in (r.json or {}).get("errors", [])}
                    if fields and fields <= REACHED:
                        want = {400}
                if r.status not in want:
                    problems.append("%s: %d, want %s: %s" % (tag, r.status, sorted(want),
                                                             r.raw[:200]))
                elif r.status >= 400 and not (r.header("Content-Type") or "").startswith(
                        "application/problem+json"):
                    problems.append("%s: %d is not problem+json" % (tag, r.status))
                if r.status == 200 and MARK in r.raw and method == "GET" \
                        and not pattern.endswith("{id}"):
                    problems.append("%s: the answer shows the target's records" % tag)
                if before != after:
                    problems.append("%s: changed %s" % (tag, self.diff(before, after)))
        if os.environ.get("ROUTES_PROBE"):
            print("\n".join(problems))
        self.maxDiff = None; self.assertEqual(problems, [])
        self.assertGreater(seen, 500)


if __name__ == "__main__":
    unittest.main()
