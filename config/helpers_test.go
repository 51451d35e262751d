package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// falcoTests is Falco's test data, beside the repository (see the brief:
// the repo is always checked out as a sibling of shared/).
const falcoTests = "../../shared/research/falco/tests"

// mustLoad loads with an empty environment unless opts sets one.
func mustLoad(t *testing.T, opts LoadOptions) *Config {
	t.Helper()
	if opts.Env == nil {
		opts.Env = []string{}
	}
	c, err := Load(opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// loadErr loads expecting an *Error.
func loadErr(t *testing.T, opts LoadOptions) *Error {
	t.Helper()
	if opts.Env == nil {
		opts.Env = []string{}
	}
	c, err := Load(opts)
	if err == nil {
		t.Fatalf("Load succeeded, want an error (priority=%q)", c.Priority)
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Load error is %T (%v), want *config.Error", err, err)
	}
	return ce
}

// findProblem returns the problem about key whose message contains msg.
func findProblem(ps []Problem, key, msg string) (Problem, bool) {
	for _, p := range ps {
		if p.Key == key && strings.Contains(p.Msg, msg) {
			return p, true
		}
	}
	return Problem{}, false
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// noIncludes keeps tests independent of /etc/saker/config.d on the host.
const noIncludes = "config_files=[]"
