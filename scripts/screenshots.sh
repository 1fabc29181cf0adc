#!/bin/sh
# Regenerate docs/screenshots/*.png: every screen of the web UI, in headless Chromium,
# against a real `funnel serve` over a fresh demo company (tests/e2e/screenshots.mjs).
# Needs ./funnel and web/dist (make funnel web; `make screenshots` does both).
set -eu
cd "$(dirname "$0")/.."
[ -x "${FUNNEL_BIN:-funnel}" ] || { echo "screenshots.sh: build first (make funnel web)" >&2; exit 1; }
exec node tests/e2e/screenshots.mjs
