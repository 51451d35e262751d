package eventprint

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/state"
)

// The differential test against sysdig is in internal/sysdigdiff; these
// pin the rendering rules on hand-made events.

const ts = 1470327477881781397 // 2016-08-04T16:17:57.881781397Z

func testState(t *testing.T) *state.State {
	t.Helper()
	st := state.New(state.Config{})
	st.LoadCapture(&scap.Metadata{
		Processes: []scap.Process{
			{Tid: 100, Pid: 100, Ptid: 1, Comm: "cat", Exe: "cat", Cwd: "/tmp", UID: 0, GID: 0, Vtid: 100, Vpid: 100},
			{Tid: 1, Pid: 1, Comm: "systemd", Exe: "/sbin/init", Cwd: "/", Vtid: 1, Vpid: 1},
		},
		FDs: []scap.FD{
			{Tid: 100, FD: 3, Type: scap.FDFileV2, Name: "/etc/passwd"},
			{Tid: 100, FD: 4, Type: scap.FDIPv4Sock, SrcAddr: netip.MustParseAddr("10.0.0.1"), SrcPort: 40000,
				DstAddr: netip.MustParseAddr("10.0.0.2"), DstPort: 80, L4Proto: 2},
		},
	})
	return st
}

func build(t *testing.T, typ event.Type, tid int64, params func(b *event.Builder)) *event.Event {
	t.Helper()
	var b event.Builder
	b.Begin(typ, ts, tid)
	params(&b)
	e, err := event.Parse(b.Finish(), 1)
	if err != nil {
		t.Fatal(err)
	}
	e.Num = 7
	return e
}

func TestAppendLine(t *testing.T) {
	st := testState(t)
	cases := []struct {
		name string
		e    *event.Event
		want string
	}{
		{"fd annotated with type char and name",
			build(t, event.SyscallReadE, 100, func(b *event.Builder) { b.Int64(3); b.Uint32(832) }),
			"7 16:17:57.881781397 1 cat (100) > read fd=3(<f>/etc/passwd) size=832 "},
		{"socket fd carries the transport letter",
			build(t, event.SyscallReadE, 100, func(b *event.Builder) { b.Int64(4); b.Uint32(1) }),
			"7 16:17:57.881781397 1 cat (100) > read fd=4(<4t>10.0.0.1:40000->10.0.0.2:80) size=1 "},
		{"unknown fd and negative fd",
			build(t, event.SyscallReadE, 100, func(b *event.Builder) { b.Int64(9); b.Uint32(1) }),
			"7 16:17:57.881781397 1 cat (100) > read fd=9 size=1 "},
		{"pid annotated with the thread name, signal by name",
			build(t, event.SyscallKillE, 100, func(b *event.Builder) { b.Int64(1); b.Uint8(9) }),
			"7 16:17:57.881781397 1 cat (100) > kill pid=1(systemd) sig=9(SIGKILL) "},
		{"unknown thread",
			build(t, event.SyscallKillE, 555, func(b *event.Builder) { b.Int64(2); b.Uint8(15) }),
			"7 16:17:57.881781397 1 <NA> (555) > kill pid=2 sig=15(SIGTERM) "},
		{"generic event named by its syscall code, no parameters",
			build(t, event.GenericE, 100, func(b *event.Builder) { b.Uint16(75); b.Uint16(10) }),
			"7 16:17:57.881781397 1 cat (100) > mprotect "},
		{"container event from a made-up thread",
			build(t, event.ContainerJsonE, -1, func(b *event.Builder) { b.String(`{"container":{"id":"9dbcbd0c435f","imageid":"x"}}`) }),
			`7 16:17:57.881781397 1 container:9dbcbd0c435f (-1) > container json={"container":{"id":"9dbcbd0c435f","imageid":"x"}} `},
	}
	for _, c := range cases {
		st.Update(c.e)
		got := string(AppendLine(nil, c.e, st, time.UTC))
		if got != c.want {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, c.want)
		}
	}
}

func TestBufferTruncation(t *testing.T) {
	st := testState(t)
	data := strings.Repeat("a", 80)
	e := build(t, event.SyscallReadX, 100, func(b *event.Builder) { b.Int64(80); b.Bytes([]byte(data)) })
	st.Update(e)
	if got := string(AppendLine(nil, e, st, time.UTC)); !strings.HasSuffix(got, "data="+data+" ") {
		t.Errorf("80 bytes print whole: %q", got)
	}
	e = build(t, event.SyscallReadX, 100, func(b *event.Builder) { b.Int64(81); b.Bytes([]byte(data + "b\n")) })
	st.Update(e)
	if got := string(AppendLine(nil, e, st, time.UTC)); !strings.HasSuffix(got, "data="+data[:77]+"... ") {
		t.Errorf("longer buffers print 77 bytes and ...: %q", got)
	}
}

func TestPrintAllocatesNothing(t *testing.T) {
	st := testState(t)
	e := build(t, event.SyscallReadE, 100, func(b *event.Builder) { b.Int64(4); b.Uint32(1) })
	st.Update(e)
	var out bytes.Buffer
	p := New(&out, time.UTC)
	p.Print(e, st) // warm the buffer up
	p.Flush()
	out.Grow(1 << 20)
	if n := testing.AllocsPerRun(100, func() { p.Print(e, st) }); n != 0 {
		t.Errorf("Print allocates %v times per event", n)
	}
}
