package config

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// loadBytes runs the whole pipeline (defaults, this document as the main
// file, decode, validate) on data held in memory.
func loadBytes(name string, data []byte, env map[string]string) (*Config, error) {
	l, err := newLoader(env)
	if err != nil {
		return nil, err
	}
	err = l.loadDoc(name, data, replace, func(p position) string { return fmt.Sprintf("%s:%d:%d", name, p.Line, p.Col) })
	if err != nil {
		return nil, err
	}
	return l.finish()
}

func TestYAMLSyntaxErrors(t *testing.T) {
	for _, tc := range []struct {
		src, origin, msg string
	}{
		{"priority: [a\n", "s.yaml:1", "did not find expected ',' or ']'\n\t1 | priority: [a"},
		{"json_output: true\n\tpriority: x\n", "s.yaml:2", "found a tab character that violates indentation\n\t2 | \tpriority: x"},
		{"\tpriority: x\n", "s.yaml:1", "found character that cannot start any token"},
		{"a: 1\n  b: 2\nc: 3\n", "s.yaml:2", "mapping values are not allowed in this context"},
		{"x: 1\ny: 2\npriority: *nope\n", "s.yaml:3", "unknown anchor 'nope' referenced\n\t3 | priority: *nope"},
		{"priority: \"debug\n", "s.yaml:2", "found unexpected end of stream"},
		{"priority: debug\npriority: info\n", "s.yaml:2:1", `key "priority" is already defined at line 1`},
		{"- a\n- b\n", "s.yaml:1:1", "the top level of a config file must be a mapping of keys to values, found a list"},
		{"just text\n", "s.yaml:1:1", `found the scalar "just text"`},
		{"a: 1\n---\nb: 2\n", "s.yaml:2:1", "a config file holds one YAML document; found a second one (---)"},
		{"webserver:\n  ? [a, b]\n  : 1\n", "s.yaml:2:5", "a key must be a scalar, found a list"},
		{"a: 1\nb: \f\xff\n", "s.yaml:2", "control characters are not allowed\n\t2 | b: \\x0c\\xff"},
		{"hostname: ${SAKER_TEST_UNSET}\n", "s.yaml:1:11", `environment variable "SAKER_TEST_UNSET" referenced by ${SAKER_TEST_UNSET} is not set`},
	} {
		_, err := loadBytes("s.yaml", []byte(tc.src), nil)
		var ce *Error
		if !errors.As(err, &ce) || len(ce.Problems) != 1 {
			t.Errorf("%q: got %v, want one problem", tc.src, err)
			continue
		}
		p := ce.Problems[0]
		if p.Origin != tc.origin || !strings.Contains(p.Msg, tc.msg) {
			t.Errorf("%q:\n got  %s\n want %s: ...%s", tc.src, p, tc.origin, tc.msg)
		}
	}
}

func TestYAMLFeatures(t *testing.T) {
	env := map[string]string{"NODE": "n1", "TOKEN": "s3cret"}
	c, err := loadBytes("s.yaml", []byte(`config_files: []
base: &tls
  insecure: true
otlp_output:
  tls:
    <<: *tls
    ca_file: /ca.pem
  headers:
    authorization: "Bearer ${TOKEN}"
static_fields:
  node: ${NODE}
  literal: "$${NODE} costs $5"
  zone: &z eu-1
  zone_copy: *z
syslog_output:
json_output: !!bool "true"
metrics:
  interval: 1d
`), env)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "merge key", c.OTLP.TLS.Insecure, true)
	eq(t, "merge key keeps own keys", c.OTLP.TLS.CAFile, "/ca.pem")
	eq(t, "${VAR}", c.OTLP.Headers["authorization"], "Bearer s3cret")
	eq(t, "static_fields", c.StaticFields, map[string]string{"node": "n1", "literal": "${NODE} costs $5", "zone": "eu-1", "zone_copy": "eu-1"})
	eq(t, "null keeps the default", c.Syslog.Enabled, true)
	eq(t, "tags", c.JSONOutput, true)
	eq(t, "Prometheus duration", c.Metrics.Interval.Hours(), 24.0)
	var keys []string
	for _, w := range c.Warnings() {
		keys = append(keys, w.Key)
	}
	eq(t, "the anchor holder is an unknown key", keys, []string{"base"})
}

func TestEmptyFileGivesDefaults(t *testing.T) {
	for _, src := range []string{"", "\n", "# only a comment\n", "---\n", "~\n"} {
		c, err := loadBytes("s.yaml", []byte(src), nil)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		eq(t, src+" priority", c.Priority, "debug")
	}
}

func TestAliasBombIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	_, err := loadBytes("bomb.yaml", []byte(b.String()), nil)
	if err == nil || !strings.Contains(err.Error(), "expands to more than") {
		t.Fatalf("alias bomb: %v", err)
	}
}

// Mutated versions of real configs never panic, and every problem found in
// a file names the file and a line.
func TestMutatedConfigsNeverPanic(t *testing.T) {
	seeds := seedConfigs(t)
	rng := rand.New(rand.NewPCG(1, 2))
	n := 500 // 1.5-3 ms each: a load copies the tree a few times
	if testing.Short() {
		n = 100
	}
	for i := range n {
		src := seeds[rng.IntN(len(seeds))]
		data := mutate(rng, src)
		checkLoad(t, data, fmt.Sprintf("mutation %d", i))
	}
}

func FuzzLoadYAML(f *testing.F) {
	for _, s := range seedConfigsF(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkLoad(t, data, "fuzz input")
	})
}

var lineOrigin = regexp.MustCompile(`^m\.yaml:[1-9][0-9]*(:[1-9][0-9]*)?$`)

func checkLoad(t *testing.T, data []byte, what string) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s panicked: %v\n%q", what, r, data)
		}
	}()
	_, err := loadBytes("m.yaml", data, map[string]string{"HOME": "/root"})
	if err == nil {
		return
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("%s: error %T is not a *config.Error: %v", what, err, err)
	}
	for _, p := range ce.Problems {
		if strings.HasPrefix(p.Origin, "m.yaml") && !lineOrigin.MatchString(p.Origin) {
			t.Errorf("%s: problem %q names the file but no line\n%q", what, p, data)
		}
		if p.Origin == "" {
			t.Errorf("%s: problem %q has no origin", what, p)
		}
	}
}

func seedConfigs(t testing.TB) [][]byte {
	out := [][]byte{DefaultYAML()}
	files, _ := filepath.Glob(filepath.Join(falcoTests, "*/*/*.yaml"))
	more, _ := filepath.Glob("testdata/*.yaml")
	for _, f := range append(files, more...) {
		if b, err := os.ReadFile(f); err == nil && (strings.Contains(f, "conf") || strings.Contains(f, "testdata")) {
			out = append(out, b)
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d seed configs found", len(out))
	}
	return out
}

func seedConfigsF(f *testing.F) [][]byte { return seedConfigs(f) }

// mutate applies a few random edits that tend to break YAML in interesting
// ways: structural characters inserted, lines swapped, indentation changed,
// bytes flipped, the document cut.
func mutate(rng *rand.Rand, src []byte) []byte {
	b := bytes.Clone(src)
	special := []string{":", "-", "[", "]", "{", "}", "&a", "*a", "<<: *a", "\t", "\"", "'", "#", "!!int", "? ", "|", ">", "\n  ", "%", "@", "`", "${X}", "---\n", "\x00", "\xff"}
	for range 1 + rng.IntN(4) {
		if len(b) == 0 {
			b = append(b, special[rng.IntN(len(special))]...)
			continue
		}
		pos := rng.IntN(len(b))
		switch rng.IntN(5) {
		case 0:
			s := special[rng.IntN(len(special))]
			b = append(b[:pos], append([]byte(s), b[pos:]...)...)
		case 1:
			b = append(b[:pos], b[min(len(b), pos+1+rng.IntN(8)):]...)
		case 2:
			b[pos] = byte(rng.IntN(256))
		case 3:
			lines := bytes.Split(b, []byte("\n"))
			i, j := rng.IntN(len(lines)), rng.IntN(len(lines))
			lines[i], lines[j] = lines[j], lines[i]
			b = bytes.Join(lines, []byte("\n"))
		case 4:
			b = b[:pos]
		}
	}
	return b
}
