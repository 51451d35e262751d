package program

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
)

func numbered(i int) *alert.Alert {
	return &alert.Alert{Rule: "r", Priority: alert.PriorityNotice, Output: "alert " + strconv.Itoa(i), Source: alert.SourceSyscall}
}

func run(t *testing.T, cfg Config, n int, buffered bool) exporter.Stats {
	t.Helper()
	o, err := New(cfg, exporter.DefaultFormat(), buffered)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := exporter.New(exporter.Options{}, exporter.Destination{Name: OutputName, Output: o})
	for i := range n {
		d.Enqueue(numbered(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return d.Stats(nil)[0]
}

func lines(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(string(b), "\n")
}

// `sh -c 'cat >> FILE'` receives every alert line, kept alive or not.
func TestCatAppendsEveryAlert(t *testing.T) {
	for _, keepAlive := range []bool{false, true} {
		for _, buffered := range []bool{false, true} {
			p := filepath.Join(t.TempDir(), "out")
			st := run(t, Config{Enabled: true, KeepAlive: keepAlive, Program: fmt.Sprintf("cat >> '%s'", p)}, 20, buffered)
			if st.Exported != 20 || st.DroppedTotal() != 0 {
				t.Errorf("keep_alive=%v buffered=%v: %+v", keepAlive, buffered, st)
			}
			var want []string
			for i := range 20 {
				want = append(want, "alert "+strconv.Itoa(i))
			}
			if got := lines(t, p); got != strings.Join(want, "\n") {
				t.Errorf("keep_alive=%v buffered=%v: file has %q", keepAlive, buffered, got)
			}
		}
	}
}

// Without keep_alive, each alert is its own run of the program.
func TestOneRunPerAlertWithoutKeepAlive(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out")
	run(t, Config{Enabled: true, Program: fmt.Sprintf(`echo "run $$: $(cat)" >> '%s'`, p)}, 3, false)
	got := strings.Split(lines(t, p), "\n")
	if len(got) != 3 {
		t.Fatalf("%q", got)
	}
	pids := map[string]bool{}
	for i, l := range got {
		pid, rest, _ := strings.Cut(strings.TrimPrefix(l, "run "), ": ")
		pids[pid] = true
		if rest != "alert "+strconv.Itoa(i) {
			t.Errorf("line %q", l)
		}
	}
	if len(pids) != 3 {
		t.Errorf("3 alerts ran in %d processes", len(pids))
	}
}

func TestFailingProgramIsCounted(t *testing.T) {
	st := run(t, Config{Enabled: true, Program: "cat >/dev/null; exit 3"}, 4, false)
	if st.Dropped[exporter.ReasonPermanentFailure] != 4 {
		t.Errorf("stats %+v", st)
	}
}

// A kept-alive program that exits is restarted: `head -n 1` takes one line
// per run, so every alert needs a fresh process and still gets through.
func TestKeepAliveRestartsAfterExit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out")
	o, _ := New(Config{Enabled: true, KeepAlive: true, Program: fmt.Sprintf("head -n 1 >> '%s'", p)}, exporter.DefaultFormat(), false)
	ctx := context.Background()
	for i := range 3 {
		if err := o.Send(ctx, []*alert.Alert{numbered(i)}); err != nil {
			t.Fatalf("alert %d: %v", i, err)
		}
		// Let head exit, so the next write meets a closed pipe.
		deadline := time.Now().Add(5 * time.Second)
		for strings.Count(readOrEmpty(p), "alert") < i+1 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond)
	}
	o.Close()
	if got := lines(t, p); got != "alert 0\nalert 1\nalert 2" {
		t.Errorf("file %q", got)
	}
}

// A program that never reads cannot hold shutdown: the deadline cancels the
// blocked write and the alerts are counted.
func TestStuckProgramDoesNotBlockShutdown(t *testing.T) {
	o, _ := New(Config{Enabled: true, KeepAlive: true, Program: "sleep 60"}, exporter.DefaultFormat(), false)
	d, _ := exporter.New(exporter.Options{}, exporter.Destination{Name: OutputName, Output: o, Queue: exporter.QueueConfig{MaxBatch: 1}})
	big := &alert.Alert{Rule: "r", Output: strings.Repeat("x", 256<<10), Source: "syscall"} // larger than a pipe buffer
	for range 3 {
		d.Enqueue(big)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_ = d.Close(ctx)
	if el := time.Since(start); el > CloseGrace+3*time.Second {
		t.Errorf("Close took %v", el)
	}
	st := d.Stats(nil)[0]
	if st.Exported+st.DroppedTotal() != 3 || st.Dropped[exporter.ReasonShutdownDeadline] == 0 {
		t.Errorf("stats %+v", st)
	}
}

func readOrEmpty(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}
