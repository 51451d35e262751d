package syslog

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
)

var frameRE = regexp.MustCompile(`^<(\d+)>([A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d) ([^\[]+)\[(\d+)\]: (.*)$`)

// listen opens a unixgram socket like /dev/log in a temp dir.
func listen(t *testing.T) (string, *net.UnixConn) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "log")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: p, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return p, c
}

func recv(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 65536)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestMessagesCarryPriorityAndFraming(t *testing.T) {
	sock, srv := listen(t)
	cfg := Default()
	cfg.Socket, cfg.Facility = sock, "local3"
	o, err := New(cfg, exporter.DefaultFormat())
	if err != nil {
		t.Fatal(err)
	}
	d, _ := exporter.New(exporter.Options{}, exporter.Destination{Name: OutputName, Output: o})
	prios := []alert.Priority{alert.PriorityEmergency, alert.PriorityCritical, alert.PriorityWarning, alert.PriorityDebug}
	for i, p := range prios {
		d.Enqueue(&alert.Alert{Rule: "r", Priority: p, Output: "alert " + strconv.Itoa(i) + " " + p.String(), Source: alert.SourceSyscall})
	}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, p := range prios {
		msg := recv(t, srv)
		m := frameRE.FindStringSubmatch(msg)
		if m == nil {
			t.Fatalf("message %q is not syslog(3) framing", msg)
		}
		if pri, _ := strconv.Atoi(m[1]); pri != 19*8+int(p) {
			t.Errorf("PRI %d for %v, want %d", pri, p, 19*8+int(p))
		}
		if _, err := time.Parse(time.Stamp, m[2]); err != nil {
			t.Errorf("timestamp %q: %v", m[2], err)
		}
		if m[3] != "saker" || m[4] != strconv.Itoa(os.Getpid()) {
			t.Errorf("tag %q pid %q", m[3], m[4])
		}
		if want := "alert " + strconv.Itoa(i) + " " + p.String(); m[5] != want {
			t.Errorf("message %q, want %q", m[5], want)
		}
	}
	if s := d.Stats(nil)[0]; s.Exported != 4 {
		t.Errorf("stats %+v", s)
	}
}

func TestJSONMessage(t *testing.T) {
	sock, srv := listen(t)
	cfg := Default()
	cfg.Socket = sock
	f := exporter.DefaultFormat()
	f.JSON = true
	o, _ := New(cfg, f)
	defer o.Close()
	if err := o.Send(context.Background(), []*alert.Alert{{Rule: "Write below etc", Priority: alert.PriorityError, Output: "x", Source: "syscall", Fields: []alert.Field{{Name: "fd.name", Value: "/etc/x"}}}}); err != nil {
		t.Fatal(err)
	}
	m := frameRE.FindStringSubmatch(recv(t, srv))
	var j map[string]any
	if m == nil || json.Unmarshal([]byte(m[5]), &j) != nil || j["rule"] != "Write below etc" || m[1] != "11" {
		t.Fatalf("message %v", m)
	}
}

// With no daemon the alerts fail (and are counted); when the daemon
// (re)appears the next batch gets through.
func TestMissingDaemonFailsThenRecovers(t *testing.T) {
	p := filepath.Join(t.TempDir(), "log")
	cfg := Default()
	cfg.Socket = p
	o, _ := New(cfg, exporter.DefaultFormat())
	defer o.Close()
	a := &alert.Alert{Rule: "r", Priority: alert.PriorityNotice, Output: "m", Source: "syscall"}
	if err := o.Send(context.Background(), []*alert.Alert{a, a}); err == nil {
		t.Fatal("send without a daemon succeeded")
	}
	srv, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: p, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := o.Send(context.Background(), []*alert.Alert{a}); err != nil {
		t.Fatal(err)
	}
	if msg := recv(t, srv); !strings.HasSuffix(msg, "]: m") {
		t.Errorf("got %q", msg)
	}
}

func TestValidate(t *testing.T) {
	c := Default()
	c.Facility = "local9"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), `syslog_output.facility: invalid value "local9"`) {
		t.Errorf("got %v", err)
	}
}

// A daemon that stops reading fills the socket; the writes then block, and
// the shutdown deadline must still end them, with every alert counted.
func TestStalledDaemonDoesNotBlockShutdown(t *testing.T) {
	sock, _ := listen(t) // never read
	cfg := Default()
	cfg.Socket = sock
	o, _ := New(cfg, exporter.DefaultFormat())
	d, _ := exporter.New(exporter.Options{}, exporter.Destination{Name: OutputName, Output: o})
	a := &alert.Alert{Rule: "r", Priority: alert.PriorityNotice, Output: strings.Repeat("m", 1000), Source: "syscall"}
	for range 3000 {
		d.Enqueue(a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_ = d.Close(ctx)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Close took %v", el)
	}
	s := d.Stats(nil)[0]
	if s.Exported+s.DroppedTotal() != 3000 || s.Dropped[exporter.ReasonShutdownDeadline] == 0 {
		t.Errorf("stats %+v", s)
	}
}
