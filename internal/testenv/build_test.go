package testenv

import (
	"os/exec"
	"strings"
	"testing"
)

// The built collector must contain the components the other tests configure.
func TestCollectorBinaryHasComponents(t *testing.T) {
	bin, took, err := CollectorBinary()
	if err != nil {
		Unavailable(t, "%v", err)
	}
	if took > 0 {
		t.Logf("built %s in %v", bin, took)
	}
	out, err := exec.Command(bin, "components").CombinedOutput()
	if err != nil {
		t.Fatalf("%s components: %v\n%s", bin, err, out)
	}
	for _, want := range []string{"otlpreceiver", "otlpexporter", "debugexporter"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("collector lacks %s:\n%s", want, out)
		}
	}
}

// The sample config shipped for users must stay valid for this collector.
func TestSampleCollectorConfigValidates(t *testing.T) {
	bin, _, err := CollectorBinary()
	if err != nil {
		Unavailable(t, "%v", err)
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "validate", "--config", root+"/deploy/collector/config.yaml").CombinedOutput()
	if err != nil {
		t.Fatalf("validate: %v\n%s", err, out)
	}
}
