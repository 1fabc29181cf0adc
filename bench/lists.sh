#!/bin/sh
# The web UI's list requests at scale: what the accounts, contacts, leads and
# opportunities lists, the lead inbox and saved filters ask the server, as a rep,
# a manager and an admin, on `funnel demo --scale N` (default 1,000,000 deals,
# N/3 leads, N/15 accounts, ≈N/6 contacts; the database bench/api.sh makes).
#
#   bench/lists.sh [OPPORTUNITIES]
#
# Each request runs 11 times one after another; printed: the median and the
# slowest time (client side over loopback, so server time plus ≈0.2 ms).
# Keyset paging: the first page beside the 200th page of the same list, reached
# by following next_cursor (limit 200, so 40,000 rows in).  Baseline in the same
# run: the same 200th page by LIMIT/OFFSET in the sqlite3 CLI — what offset
# paging would cost — and the cheapest request, one record by id.
. "$(dirname "$0")/lib.sh"
N=${1:-1000000}
DB=$OUT/api-$N.db
[ -f "$DB" ] || { echo "generating $N opportunities..."; "$FUNNEL" demo --db "$DB" --scale "$N" >/dev/null; }
start_funnel "$DB"
# let the background work of a fresh start (the analytics index) finish first
for _ in $(seq 600); do grep -q 'analytics: [0-9]* deals' "$OUT/serve.log" && break; sleep 0.5; done
echo "machine: $(nproc) cores; database: $N opportunities ($(du -h "$DB" | cut -f1))"
sqlite3 "$DB" "SELECT 'rows: ' || (SELECT count(*) FROM opportunities) || ' opportunities, ' || (SELECT count(*) FROM leads) || ' leads, ' || (SELECT count(*) FROM accounts) || ' accounts, ' || (SELECT count(*) FROM contacts) || ' contacts'"

URL="$URL" python3 - <<'PY'
import json, os, statistics, time, urllib.request

URL = os.environ["URL"]

def login(who):
    req = urllib.request.Request(URL + "/api/v1/auth/login", method="POST",
                                 data=json.dumps({"email": who + "@demo.funnel", "password": "demo-password"}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        d = json.load(r)
        return d["token"], d["user"]

def get(tok, path):
    req = urllib.request.Request(URL + "/api/v1" + path, headers={"Authorization": "Bearer " + tok})
    t = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        body = r.read()
    return (time.perf_counter() - t) * 1000, json.loads(body)

def timed(tok, path, runs=11):
    ms = []
    for _ in range(runs):
        t, d = get(tok, path)
        ms.append(t)
    return statistics.median(ms), max(ms), d

def show(label, med, worst, extra=""):
    print("%-58s median %7.2f ms   max %7.2f ms %s" % (label, med, worst, extra))

users = {w: login(w) for w in ("rep", "manager", "admin")}
rep_tok, rep = users["rep"]
_, sample = get(users["admin"][0], "/accounts?limit=1&sort=name")
word = sample["data"][0]["name"].split()[0][:5].lower()

lists = [
    ("opportunities, default (close date)", "/opportunities?limit=50&sort=close_date"),
    ("opportunities: open, biggest first", "/opportunities?limit=50&status=open&sort=-amount"),
    ("opportunities: stage proposal, by name", "/opportunities?limit=50&stage=proposal&sort=name"),
    ("opportunities: without a contact", "/opportunities?limit=50&contact_id_set=false&sort=close_date"),
    ("accounts, by name", "/accounts?limit=50&sort=name"),
    ("accounts: industry Software, territory DACH", "/accounts?limit=50&industry=Software&territory=DACH&sort=name"),
    ("contacts, by last name", "/contacts?limit=50&sort=last_name"),
    ("contacts: decision makers", "/contacts?limit=50&decision_maker=true&sort=last_name"),
    ("leads, newest first", "/leads?limit=50&sort=-created_at"),
    ("leads: working, by name", "/leads?limit=50&status=working&sort=last_name"),
    ("inbox: open leads by score", "/leads?limit=25&sort=-score&status=new,working,qualified&converted_at_set=false"),
    ("inbox: tier A", "/leads?limit=25&sort=-score&status=new,working,qualified&converted_at_set=false&tier=A"),
    ("search accounts q=" + word, "/accounts?limit=50&sort=name&q=" + word),
    ("search opportunities q=" + word, "/opportunities?limit=50&sort=close_date&q=" + word),
    ("search leads q=zzzz (no match: reads every lead)", "/leads?limit=50&sort=-created_at&q=zzzz"),
    ("search opportunities q=zzzz (no match: reads every deal)", "/opportunities?limit=50&sort=close_date&q=zzzz"),
    ("saved filters of the lists", "/saved_filters?resource=opportunities&sort=name&limit=200"),
]
for who in ("rep", "manager", "admin"):
    tok = users[who][0]
    print("--- as %s" % who)
    _, one = get(tok, "/opportunities?limit=1")
    if one["data"]:
        med, worst, _ = timed(tok, "/opportunities/%d" % one["data"][0]["id"])
        show("baseline: one opportunity by id", med, worst)
    _, page = get(tok, "/opportunities?limit=50&sort=close_date")
    ids = ",".join(str(x["owner_id"]) for x in page["data"][:60])
    accs = ",".join(str(x["account_id"]) for x in page["data"][:60])
    for label, path in lists + [("names: 50 accounts by id", "/accounts?limit=200&id=" + accs),
                                ("names: the owners by id", "/users?limit=200&id=" + ids)]:
        med, worst, d = timed(tok, path)
        show(label, med, worst, "(%d rows)" % len(d["data"]))

# keyset: page 1 and page 200 of the same list, as the admin (who sees all 1M)
tok = users["admin"][0]
print("--- keyset pages, as admin: opportunities by close date, 200 a page")
path = "/opportunities?limit=200&sort=close_date"
cursor, times = None, []
for i in range(200):
    t, d = get(tok, path + ("&cursor=" + cursor if cursor else ""))
    times.append(t)
    cursor = d["next_cursor"]
deep = path + "&cursor=" + cursor
med1, w1, _ = timed(tok, path)
med2, w2, _ = timed(tok, deep)
show("page 1", med1, w1)
show("page 201 (after 40,000 rows)", med2, w2)
print("walk of 200 pages: median %.2f ms, max %.2f ms a page" % (statistics.median(times), max(times)))
PY

echo "--- baseline: the same page 201 by OFFSET in the sqlite3 CLI (ids only, from the covering index)"
for off in 40000 900000; do
	for i in 1 2 3; do
		echo "SELECT count(*) FROM (SELECT id FROM opportunities ORDER BY close_date, id LIMIT 200 OFFSET $off);" |
			sqlite3 -cmd ".timer on" "$DB" 2>&1 |
			awk -v off=$off '/real/ { printf "offset %7d: %7.2f ms\n", off, $4 * 1000 }'
	done
done
