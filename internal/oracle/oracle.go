package oracle

import (
	"os"
	"os/exec"
	"testing"
)

// Sysdig returns the path of the sysdig binary; without one, tb skips, or
// fails under CI=true.
func Sysdig(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("sysdig")
	if err != nil {
		msg := "sysdig, the oracle of this test, is not installed: " + err.Error()
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return p
}
