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
# the Makefile passes its own package list (PKGS), so the two cannot drift
PKGS=${PKGS:-libmicrohttpd sqlite3 libsodium jansson libcurl libical libcrypto gmime-3.0 libpq}
PKG_CFLAGS="$(pkg-config --cflags $PKGS)"
PKG_LIBS="$(pkg-config --libs $PKGS)"
LIBSRC=$(ls src/core/*.c src/store/*.c src/crm/*.c src/crm/*/*.c src/api/*.c src/http/*.c | grep -v migrations.gen.c)
LIBSRC="$LIBSRC src/store/migrations.gen.c"
CFLAGS="-std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -g -O1 -fsanitize=address,undefined -Isrc"
# the sources are compiled once, instrumented for coverage, then every target
# links against them: the library is most of each build
lib="$out/lib"
mkdir -p "$lib"
objs=""
for src in $LIBSRC; do
	objs="$objs $lib/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
done
printf '%s\n' $LIBSRC | xargs -P "${FUZZ_JOBS:-2}" -I{} sh -c '
	o="$1/$(echo "$2" | tr / _ | sed "s/\.c\$/.o/")"
	[ "$o" -nt "$2" ] && [ -z "$(find src -name "*.h" -newer "$o" | head -1)" ] && exit 0
	clang $3 -fsanitize=fuzzer-no-link $4 -c -o "$o" "$2"' _ "$lib" {} "$CFLAGS" "$PKG_CFLAGS" \
	|| { echo "fuzz: cannot build the sources"; echo "fuzz: 0 passed, 1 failed"; exit 1; }
for f in tests/fuzz/fuzz_*.c; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .c)
	[ -n "${FUZZ_ONLY:-}" ] && [ "$name" != "$FUZZ_ONLY" ] && [ "$name" != "fuzz_$FUZZ_ONLY" ] && continue
	if ! clang $CFLAGS -fsanitize=fuzzer -o "$out/$name" "$f" $objs $PKG_CFLAGS $PKG_LIBS -lcsv -lhpdf -lm -lpthread; then
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
