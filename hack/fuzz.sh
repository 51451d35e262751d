#!/usr/bin/env bash
# Runs every Go fuzz target in the module for the given time each (default 5s).
# The acceptance runs use: hack/fuzz.sh 60s
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-5s}
grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do
	pkg=./$(dirname "${f#./}")
	for fn in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | cut -d' ' -f2); do
		echo "fuzz $pkg $fn ($t)"
		go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$t" "$pkg"
	done
done
