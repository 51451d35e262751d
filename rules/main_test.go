package rules

import (
	"os"
	"runtime"
	"testing"
)

// The rule tests run saker's live pipeline (eBPF probe → state → engine
// with the embedded default rules) inside this test binary, and perform
// each behaviour in a child process: this binary re-executed with
// SAKER_RULES_HELPER=<workload> (helpers_test.go), or a real program
// (cat, find, sh, ...) started by such a child. The probe is loaded once
// per test binary and shared by every test (live_test.go).
//
// Privileged: the tests need root (BPF, cgroups, namespaces). Under
// CI=true a missing privilege or tool fails the test; otherwise it skips.

const (
	// helperEnv selects a helper workload when the binary is re-executed.
	helperEnv = "SAKER_RULES_HELPER"
	// noGoEnv marks a helper started by another helper (a second stage):
	// it does not wait for the go line, the first stage already did.
	noGoEnv = "SAKER_RULES_NOGO"
)

func init() {
	// A helper performs its syscalls on the main goroutine; pinning it to
	// the main thread makes them come from the process's main thread, and
	// keeps per-thread state (namespaces, the controlling terminal) where
	// the next syscall and exec happen.
	if os.Getenv(helperEnv) != "" {
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	if name := os.Getenv(helperEnv); name != "" {
		os.Exit(runHelperMain(name, os.Args[1:]))
	}
	code := m.Run()
	live.close()
	fixtures.cleanup()
	os.Exit(code)
}

func inCI() bool { return os.Getenv("CI") == "true" }

// skipOrFail fails under CI=true and skips otherwise.
func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if inCI() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
