package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Rules that compare fd.sip.name with DNS names (the stable ruleset's
// k8s_api_server macro does) match a connection whose server address a
// name resolves to, as Falco does: connect_localhost.scap connects to
// 127.0.0.1, which "localhost" resolves to (/etc/hosts). sysdig 0.29
// matches and renders the same (internal/sysdigdiff's filter cases).
func TestReplayComparesDNSNames(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "names.yaml")
	if err := os.WriteFile(rules, []byte(`
- rule: Connect to localhost by name
  desc: the server address resolves from localhost
  condition: evt.type = connect and evt.dir = < and fd.sip.name = localhost
  output: connect %fd.name sip=%fd.sip.name cip=%fd.cip.name lip=%fd.lip.name rip=%fd.rip.name
  priority: WARNING
- rule: Connect to a name that does not resolve
  desc: never matches
  condition: evt.type = connect and fd.sip.name in (nonexistent.invalid, also-nonexistent.invalid)
  output: unexpected %fd.name
  priority: WARNING
- rule: Connect elsewhere
  desc: "!= is the negation on connections only"
  condition: evt.type = connect and evt.dir = < and fd.sip.name != localhost
  output: unexpected %fd.name
  priority: WARNING
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := saker(t, "-r", rules, "-e", research(t, "traces/falco-test/connect_localhost.scap"), "-o", "append_output=[]")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var alerts []string
	for _, l := range lines(out) {
		if strings.Contains(l, "connect ") || strings.Contains(l, "unexpected") {
			alerts = append(alerts, l)
		}
	}
	want := "connect 127.0.0.1:47192->127.0.0.1:80 sip=localhost cip=localhost lip=localhost rip=localhost"
	if len(alerts) != 1 || !strings.HasSuffix(alerts[0], want) {
		t.Fatalf("alerts:\n%s\nwant one ending in %q", strings.Join(alerts, "\n"), want)
	}

	// Other operators are refused at load, with libs' words.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte(`
- rule: Name contains
  desc: not an operator these fields take
  condition: evt.type = connect and fd.sip.name contains local
  output: x
  priority: WARNING
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code = saker(t, "-V", bad)
	if code == 0 || !strings.Contains(out, "fd.*ip.name filter only supports '=' and '!=' operators") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}
