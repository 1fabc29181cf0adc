#!/bin/sh
# The web UI's first load of the board (bench/ui.mjs): Chromium timing from navigation
# to the board rendered, per demo login, beside the shell alone, with the server-side
# duration of each request (access log).  Needs ./funnel and web/dist (make funnel web).
#
#   bench/ui.sh [N] [RUNS]     N deals in the demo company (default 30000), RUNS loads (7)
set -eu
cd "$(dirname "$0")/.."
FUNNEL_BIN=${FUNNEL_BIN:-$PWD/build/release/funnel} exec node bench/ui.mjs "$@"
