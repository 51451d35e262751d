package testenv

import (
	"os"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true), where a missing
// component fails a test instead of skipping it.
func InCI() bool { return os.Getenv("CI") == "true" }

// Unavailable fails tb under CI and skips it otherwise. Use it when a real
// component the test needs cannot be had.
func Unavailable(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if InCI() {
		tb.Fatalf(format, args...)
	}
	tb.Skipf(format, args...)
}
