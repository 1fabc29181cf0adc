#!/bin/sh
# Install the Debian packages Funnel needs to build, run and test.
# Idempotent: packages already present are left alone; run as root (make run / make test
# call it through sudo when they are not root).  npm packages (web/package-lock.json)
# are installed by `make web` (npm ci), not here.
#
#   scripts/deps.sh          build + run + test (chromium: the end-to-end tests)
#   scripts/deps.sh bench    also what bench/ uses (wrk, nginx)
# postgresql (the server, Debian 12: postgresql-15) and postgresql-contrib (pg_trgm,
# citext) are for the PostgreSQL backend's tests, which start a throwaway cluster
# (tests/api/run-pg.sh); libpq-dev is the client library funnel links.
set -eu

PKGS="build-essential pkg-config libmicrohttpd-dev libsqlite3-dev sqlite3 libsodium-dev
libjansson-dev libcsv-dev libcmocka-dev python3 clang llvm curl ca-certificates groff-base
libhpdf-dev libcurl4-openssl-dev libical-dev python3-icalendar python3-aiosmtpd poppler-utils chromium fonts-dejavu-core
libssl-dev janus libgmime-3.0-dev dovecot-imapd libpq-dev postgresql postgresql-contrib"
# The web UI builds with node and npm: Debian's (node 18) unless an npm is already
# there (a newer node from elsewhere is fine too; web/package.json says node >= 18).
command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
[ "${1:-}" = bench ] && PKGS="$PKGS wrk nginx-light hyperfine procps"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo "$0" "$@"
	fi
	echo "deps.sh: need root to install:$missing" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
