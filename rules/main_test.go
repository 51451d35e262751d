package rules

import (
	"os"
	"testing"
)

// The rule tests run saker's live pipeline (eBPF probe → state → engine
// with the embedded default rules) inside this test binary, and perform
// each behaviour in a child process: this binary re-executed with
// SAKER_RULES_HELPER=<workload> (helpers_test.go, the child protocol of
// internal/childtest), or a real program
// (cat, find, sh, ...) started by such a child. The probe is loaded once
// per test binary and shared by every test (live_test.go).
//
// Privileged: the tests need root (BPF, cgroups, namespaces). Under
// CI=true a missing privilege or tool fails the test; otherwise it skips
// (childtest.SkipOrFail).

func TestMain(m *testing.M) {
	workloads.Main()
	code := m.Run()
	live.close()
	fixtures.cleanup()
	os.Exit(code)
}
