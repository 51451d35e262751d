package deploytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// yamlDocs decodes every document of a (multi-document) YAML stream into a
// generic value; empty documents (only comments) are skipped.
func yamlDocs(data []byte) ([]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []any
	for i := 0; ; i++ {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if v != nil {
			docs = append(docs, v)
		}
	}
}

func readYAML(t testing.TB, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// deployFiles lists deploy/ files with one of the suffixes, except the
// chart's templates (Go templates, not YAML) and the kubecheck module.
func deployFiles(t testing.TB, suffixes ...string) []string {
	t.Helper()
	root := deployDir(t)
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p == filepath.Join(root, "helm", "saker", "templates") {
			return fs.SkipDir
		}
		for _, s := range suffixes {
			if !d.IsDir() && strings.HasSuffix(p, s) {
				out = append(out, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEveryYAMLFileParses(t *testing.T) {
	files := deployFiles(t, ".yaml", ".yml")
	if len(files) < 15 {
		t.Fatalf("found only %d YAML files under deploy/: %v", len(files), files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := yamlDocs(b)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(docs) == 0 {
			t.Errorf("%s: no YAML document", f)
		}
	}
}

func TestEveryJSONFileParses(t *testing.T) {
	files := deployFiles(t, ".json")
	if len(files) == 0 {
		t.Fatal("no JSON files under deploy/")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(b))
		if err := dec.Decode(&v); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if dec.More() {
			t.Errorf("%s: trailing data after the JSON value", f)
		}
	}
}

// The checks above must be able to fail.
func TestYAMLDocsRejectsBrokenDocuments(t *testing.T) {
	docs, err := yamlDocs([]byte("a: 1\n---\n# only a comment\n---\nb: [2\n"))
	if err == nil {
		t.Fatalf("broken second document accepted: %v", docs)
	}
	docs, err = yamlDocs([]byte("a: 1\n---\n# only a comment\n---\nb: 2\n"))
	if err != nil || len(docs) != 2 {
		t.Fatalf("got %v, %v; want two documents", docs, err)
	}
}
