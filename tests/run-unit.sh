#!/bin/sh
# Run each cmocka unit test binary; print "unit: N passed, N failed".
pass=0; failn=0
for t in "$@"; do
	if "$t"; then pass=$((pass + 1)); else failn=$((failn + 1)); echo "FAILED: $t"; fi
done
echo "unit: $pass passed, $failn failed"
[ "$failn" -eq 0 ]
