#!/bin/sh
# The whole suite, as `make test` runs it.  Each stage prints its own
# "N passed, N failed"; the last line adds them up.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
status=0
stage_s() {
	name=$1; shift
	echo "==> $name"
	( "$@"; echo $? > "$log.rc" ) 2>&1 | tee -a "$log"
	rc=$(cat "$log.rc")
	[ "$rc" -eq 0 ] || { status=1; echo "==> $name FAILED ($rc)"; }
}
stage_s "build" make -s -j2 funnel
stage_s "layers (tests/layers.py)" python3 tests/layers.py
stage_s "unit tests" make -s -j2 unit
stage_s "API tests" make -s api
stage_s "web UI end-to-end tests" make -s e2e
stage_s "fuzz smoke" make -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-10}"
stage_s "unit + API tests under ASan+UBSan" make -s -j2 asan
total_p=0; total_f=0
for line in $(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$log" | tr ' ' '_'); do
	p=$(echo "$line" | cut -d_ -f1); f=$(echo "$line" | cut -d_ -f3)
	total_p=$((total_p + p)); total_f=$((total_f + f))
done
rm -f "$log" "$log.rc"
[ "$status" -eq 0 ] || [ "$total_f" -gt 0 ] || total_f=1
echo "total: $total_p passed, $total_f failed"
exit $status
