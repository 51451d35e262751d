package scap

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sakersec/saker/internal/oracle"
	"github.com/sakersec/saker/receiver/event"
)

// tracesDir is shared/research/falco/traces, a sibling of the repository.
func tracesDir(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "research", "falco", "traces")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("traces not found: %v", err)
	}
	return dir
}

func traceFiles(t testing.TB) []string {
	var files []string
	err := filepath.Walk(tracesDir(t), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.HasSuffix(p, ".scap") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("no traces: %v", err)
	}
	return files
}

// sysdigRun runs sysdig -r file with extra args and returns stdout, stderr.
func sysdigRun(t testing.TB, file string, args ...string) (string, string, error) {
	cmd := exec.Command(oracle.Sysdig(t), append([]string{"-r", file}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

// readAll decodes every event of a capture, copying each.
type decoded struct {
	num  uint64
	cpu  uint16
	raw  []byte
	flag uint32
	hasF bool
}

func readAll(t testing.TB, path string) (*Metadata, []decoded, error) {
	r, err := Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var out []decoded
	var e event.Event
	for {
		err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			return r.Metadata(), out, nil
		}
		if err != nil {
			return r.Metadata(), out, err
		}
		f, hf := r.EventFlags()
		out = append(out, decoded{num: e.Num, cpu: e.CPU, raw: bytes.Clone(e.Raw()), flag: f, hasF: hf})
	}
}
