#!/bin/sh
# Live meetings on the real Janus (bench/meeting.mjs): the time from a click on
# "Join the meeting" to the first frame of a presenter's video on loopback, beside
# the same browser's first frame of its own fake camera (no network, no Janus), and
# the CPU of funnel and janus during a meeting of 10 participants (2 presenters:
# camera, screen; 8 attendees) beside the same processes idle.  Needs ./funnel,
# web/dist and janus (make funnel web; scripts/deps.sh).
#
#   bench/meeting.sh [RUNS] [SECONDS]   RUNS joins (default 7), SECONDS measured (20)
set -eu
cd "$(dirname "$0")/.."
FUNNEL_BIN=${FUNNEL_BIN:-$PWD/build/release/funnel} exec node bench/meeting.mjs "$@"
