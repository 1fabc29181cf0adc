#!/bin/sh
# The API tests on PostgreSQL: the files that pass there, each against a
# throwaway cluster the harness starts on loopback (FUNNEL_DB=pg; see
# tests/api/harness.py and docs/postgresql.md).  Prints the same
# "api: N passed, N failed" line as run.py, for CI.
#
#   tests/api/run-pg.sh                 the files below
#   tests/api/run-pg.sh test_records    some of them (or any other file)
#
# Needs PostgreSQL's server binaries (scripts/deps.sh: postgresql,
# postgresql-contrib).  As root the cluster runs as the `postgres` user.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${FUNNEL_BIN:=$here/../../build/release/funnel}"

# Green on PostgreSQL (each checked with this harness, FUNNEL_DB=pg).
PG_PASSING="test_attachments test_auth test_auth_cache test_bad_input test_bulk_import
test_convert test_demo test_documents test_forecast test_forecast_process test_forms
test_handover test_import_export test_manpage test_meetings test_openapi test_payments
test_performance test_process test_questionnaires test_records test_saved_filters test_scoring
test_smoke test_stage_import test_stale test_two_servers test_visibility test_webhooks"

# Not yet, and why (docs/postgresql.md):
#   test_every_route   looks behind the API through harness.connect(), one psql
#                      run per table per operation: not finished in 15 min
#   test_funnel        10 of 11 pass; StartUp: the 20,000-deal analytics index
#                      is not built within the test's wait (slower on PostgreSQL)
#   test_server        7 of 8 pass; `funnel backup` copies SQLite files only
#   test_faults        SQLite faults (a full disk under the file, the file's
#                      integrity after kill -9) read the file with sqlite3
#   test_meetings_live its fixture (meeting_fixture.py) writes rows with
#                      sqlite3 and reads lastrowid; needs a Janus too
PG_FAILING="test_every_route test_funnel test_server test_faults test_meetings_live"

cd "$here"
# shellcheck disable=SC2086
FUNNEL_DB=pg FUNNEL_BIN="$FUNNEL_BIN" exec python3 run.py ${*:-$PG_PASSING}
