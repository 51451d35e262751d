package file

import (
	"context"
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

func readLines(t *testing.T, p string) []string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func waitExported(t *testing.T, d *exporter.Dispatcher, n uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for d.Stats(nil)[0].Exported < n {
		if time.Now().After(deadline) {
			t.Fatalf("exported %d, want %d", d.Stats(nil)[0].Exported, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// logrotate: the file is renamed while saker writes; after Reopen (SIGHUP)
// the next alerts go to a new file under the configured name and the
// renamed file keeps exactly what was written before.
func TestReopenAfterRename(t *testing.T) {
	for _, keepAlive := range []bool{true, false} {
		dir := t.TempDir()
		p := filepath.Join(dir, "events.txt")
		o, err := New(Config{Enabled: true, KeepAlive: keepAlive, Filename: p}, exporter.DefaultFormat(), false)
		if err != nil {
			t.Fatal(err)
		}
		d, err := exporter.New(exporter.Options{}, exporter.Destination{Name: OutputName, Output: o})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			d.Enqueue(numbered(i))
		}
		waitExported(t, d, 5)
		rotated := p + ".1"
		if err := os.Rename(p, rotated); err != nil {
			t.Fatal(err)
		}
		d.Reopen()
		for i := 5; i < 8; i++ {
			d.Enqueue(numbered(i))
		}
		if err := d.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		old, cur := readLines(t, rotated), readLines(t, p)
		if strings.Join(old, ",") != "alert 0,alert 1,alert 2,alert 3,alert 4" {
			t.Errorf("keep_alive=%v: rotated file has %q", keepAlive, old)
		}
		if strings.Join(cur, ",") != "alert 5,alert 6,alert 7" {
			t.Errorf("keep_alive=%v: new file has %q", keepAlive, cur)
		}
	}
}

// Without Reopen a kept-alive descriptor keeps writing to the renamed file:
// that is why the CLI must wire SIGHUP.
func TestKeepAliveWithoutReopenFollowsTheInode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "events.txt")
	o, _ := New(Config{Enabled: true, KeepAlive: true, Filename: p}, exporter.DefaultFormat(), true)
	ctx := context.Background()
	if err := o.Send(ctx, []*alert.Alert{numbered(0)}); err != nil {
		t.Fatal(err)
	}
	os.Rename(p, p+".1")
	if err := o.Send(ctx, []*alert.Alert{numbered(1)}); err != nil {
		t.Fatal(err)
	}
	o.Close()
	if got := readLines(t, p+".1"); len(got) != 2 {
		t.Errorf("renamed file has %q", got)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("new file created without reopen: %v", err)
	}
}

func TestAppendsToExistingFileAndReportsOpenErrors(t *testing.T) {
	p := filepath.Join(t.TempDir(), "events.txt")
	os.WriteFile(p, []byte("earlier\n"), 0o644)
	o, _ := New(Config{Enabled: true, Filename: p}, exporter.DefaultFormat(), false)
	if err := o.Send(context.Background(), []*alert.Alert{numbered(1)}); err != nil {
		t.Fatal(err)
	}
	if got := readLines(t, p); strings.Join(got, ",") != "earlier,alert 1" {
		t.Errorf("file %q", got)
	}
	bad, _ := New(Config{Enabled: true, Filename: filepath.Join(p, "not-a-dir", "x")}, exporter.DefaultFormat(), false)
	err := bad.Send(context.Background(), []*alert.Alert{numbered(1)})
	if err == nil || !strings.Contains(err.Error(), "file_output") {
		t.Errorf("open error %v", err)
	}
	c := Config{Enabled: true}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "file_output.filename") {
		t.Errorf("validate %v", err)
	}
}
