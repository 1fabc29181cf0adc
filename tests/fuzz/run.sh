#!/bin/sh
# Build each tests/fuzz/fuzz_*.c with clang's libFuzzer (+ASan/UBSan) against
# the sources, run it for $1 seconds from its corpus, print
# "fuzz: N passed, N failed".
#
# FUZZ_RUNS=N stops each target after N executions instead (no time limit when
# $1 is 0); FUZZ_ONLY=name runs one target; each target's final libFuzzer
# statistics stay in build/fuzz/<target>.log (bench/fuzz-long.sh reads them).
set -u
secs=${1:-20}
runs=${FUZZ_RUNS:-}
cd "$(dirname "$0")/../.."
out=build/fuzz
mkdir -p "$out"
pass=0; failn=0
PKG="$(pkg-config --cflags --libs libmicrohttpd sqlite3 libsodium jansson libcurl libical)"
LIBSRC=$(ls src/core/*.c src/store/*.c src/crm/*.c src/crm/*/*.c src/api/*.c src/http/*.c | grep -v migrations.gen.c)
for f in tests/fuzz/fuzz_*.c; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .c)
	[ -n "${FUZZ_ONLY:-}" ] && [ "$name" != "$FUZZ_ONLY" ] && [ "$name" != "fuzz_$FUZZ_ONLY" ] && continue
	if ! clang -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
		-Isrc -o "$out/$name" "$f" $LIBSRC src/store/migrations.gen.c $PKG -lcsv -lhpdf -lm -lpthread; then
		echo "fuzz: cannot build $name"; failn=$((failn + 1)); continue
	fi
	corpus="tests/fuzz/corpus/${name#fuzz_}"
	mkdir -p "$out/corpus-$name"
	if "$out/$name" -max_total_time="$secs" ${runs:+-runs=$runs} -print_final_stats=1 "$out/corpus-$name" \
		$( [ -d "$corpus" ] && echo "$corpus" ) >"$out/$name.log" 2>&1; then
		pass=$((pass + 1)); echo "fuzz: $name ok ($(grep -c . "$out/$name.log") log lines)"
	else
		failn=$((failn + 1)); echo "fuzz: $name FAILED"; tail -40 "$out/$name.log"
	fi
done
echo "fuzz: $pass passed, $failn failed"
[ "$failn" -eq 0 ]
