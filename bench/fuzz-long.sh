#!/bin/sh
# Long fuzzing, outside CI: every tests/fuzz target (or the one named) for
# RUNS executions (default 10,000,000) with ASan+UBSan, from the committed
# corpus.  What adds coverage is merged back into tests/fuzz/corpus/<target>
# (libFuzzer's -merge=1 keeps only inputs that add coverage), and each run's
# figures — executions, seconds, coverage (cov/ft), corpus size, crashes —
# are appended to tests/fuzz/FIGURES.md.
#
#   bench/fuzz-long.sh [RUNS] [TARGET]
set -u
runs=${1:-10000000}
only=${2:-}
cd "$(dirname "$0")/.."
figures=tests/fuzz/FIGURES.md
[ -f "$figures" ] || printf '%s\n\n%s\n%s\n' "# Long fuzz runs (bench/fuzz-long.sh)" \
	"| date | commit | target | executions | seconds | exec/s | cov | ft | corpus | crashes |" \
	"|---|---|---|---|---|---|---|---|---|---|" >"$figures"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
status=0
mkdir -p build/fuzz
for f in tests/fuzz/fuzz_*.c; do
	name=$(basename "$f" .c)
	[ -n "$only" ] && [ "$name" != "$only" ] && [ "$name" != "fuzz_$only" ] && continue
	start=$(date +%s)
	rm -f build/fuzz/"$name".log
	if FUZZ_RUNS=$runs FUZZ_ONLY=$name tests/fuzz/run.sh 0 >build/fuzz/"$name".out 2>&1; then
		crashes=0
	elif [ ! -f build/fuzz/"$name".log ]; then
		echo "$name: did not build"; tail -5 build/fuzz/"$name".out; status=1; continue
	else
		crashes=1; status=1
	fi
	secs=$(( $(date +%s) - start ))
	log=build/fuzz/$name.log
	execs=$(sed -n 's/.*stat::number_of_executed_units: *//p' "$log" | tail -1)
	line=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1)
	cov=$(echo "$line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corpus="tests/fuzz/corpus/${name#fuzz_}"
	mkdir -p "$corpus"
	build/fuzz/"$name" -merge=1 "$corpus" build/fuzz/corpus-"$name" >/dev/null 2>&1
	n=$(ls "$corpus" | wc -l)
	rate=$(( ${execs:-0} / (secs > 0 ? secs : 1) ))
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(date -u +%F)" "$commit" \
		"$name" "${execs:-?}" "$secs" "$rate" "${cov:-?}" "${ft:-?}" "$n" "$crashes" | tee -a "$figures"
	[ "$crashes" -eq 0 ] || { echo "$name: crashed, see $log"; ls build/fuzz/crash-* crash-* 2>/dev/null; }
done
exit $status
