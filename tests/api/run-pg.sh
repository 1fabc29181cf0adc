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

# Green on PostgreSQL (checked one by one with this script's harness).
PG_PASSING="test_attachments test_auth test_auth_cache test_bad_input test_bulk_import
test_convert test_demo test_documents test_forms test_handover test_import_export
test_manpage test_openapi test_payments test_performance test_questionnaires test_records
test_saved_filters test_smoke test_two_servers test_visibility"

# Not yet, and why (docs/postgresql.md):
#   test_every_route  passes its checks but looks behind the API through one
#                     psql run per table per operation: far too slow (> 15 min)
PG_FAILING="test_every_route"

cd "$here"
# shellcheck disable=SC2086
FUNNEL_DB=pg FUNNEL_BIN="$FUNNEL_BIN" exec python3 run.py ${*:-$PG_PASSING}
