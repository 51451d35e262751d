package stdout

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
)

func sample(i int) *alert.Alert {
	return &alert.Alert{Rule: "r", Priority: alert.PriorityError, Output: "line " + string(rune('a'+i)), Source: alert.SourceSyscall,
		Fields: []alert.Field{{Name: "proc.name", Value: "sh"}}, Tags: []string{"t"}, Hostname: "h"}
}

// Through a dispatcher into a real file standing in for stdout: text lines,
// then JSON lines, one per alert.
func TestWritesTextAndJSONLines(t *testing.T) {
	for _, jsonOut := range []bool{false, true} {
		for _, buffered := range []bool{false, true} {
			p := filepath.Join(t.TempDir(), "out")
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			format := exporter.DefaultFormat()
			format.JSON = jsonOut
			d, err := exporter.New(exporter.Options{}, exporter.Destination{Name: OutputName, Output: New(f, format, buffered)})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				d.Enqueue(sample(i))
			}
			if err := d.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			f.Close()
			b, _ := os.ReadFile(p)
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			if len(lines) != 3 {
				t.Fatalf("json=%v buffered=%v: %d lines: %q", jsonOut, buffered, len(lines), b)
			}
			for i, l := range lines {
				want := "line " + string(rune('a'+i))
				if jsonOut {
					var m map[string]any
					if err := json.Unmarshal([]byte(l), &m); err != nil || m["output"] != want || m["rule"] != "r" {
						t.Errorf("json line %q: %v", l, err)
					}
				} else if l != want {
					t.Errorf("line %q, want %q", l, want)
				}
			}
		}
	}
}

type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("broken pipe")
	}
	f.n--
	return len(p), nil
}

func TestWriteErrorCountsUnwrittenAlerts(t *testing.T) {
	o := New(&failAfter{n: 2}, exporter.DefaultFormat(), false)
	err := o.Send(context.Background(), []*alert.Alert{sample(0), sample(1), sample(2), sample(3), sample(4)})
	var pe *exporter.PartialError
	if !errors.As(err, &pe) || pe.Failed != 3 {
		t.Fatalf("err %v, want 3 failed", err)
	}
	o = New(&failAfter{n: 0}, exporter.DefaultFormat(), true)
	if err := o.Send(context.Background(), []*alert.Alert{sample(0), sample(1)}); !errors.As(err, &pe) || pe.Failed != 2 {
		t.Fatalf("buffered: err %v, want 2 failed", err)
	}
}
