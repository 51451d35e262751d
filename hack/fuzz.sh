#!/usr/bin/env bash
# Runs every Go fuzz target in the module for the given budget each: a time
# (60s) or a number of inputs (1000x, as make test does); default 5s.
# The acceptance runs use: hack/fuzz.sh 60s
# Minimizing each new interesting input may take up to 60 s by default,
# and the seeds are whole captures' first 64 KiB: measured, the fuzzers
# then spent most of their time minimizing (FuzzReader: 0 new inputs in
# 30 s) instead of exploring (25 in 30 s with a 2 s bound). The bound is a
# number of runs, not a time: a minimization whose own time limit runs out
# fails the whole fuzz run with "context deadline exceeded" (Go's fuzzing
# coordinator; seen in CI with -fuzzminimizetime 2s).
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-5s}
grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do
	pkg=./$(dirname "${f#./}")
	for fn in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | cut -d' ' -f2); do
		echo "fuzz $pkg $fn ($t)"
		go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$t" -fuzzminimizetime 500x "$pkg"
	done
done
