package fields_test

import (
	"encoding/binary"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// evt.arg.X is libs' get_param_as_str: the resolved form if there is one,
// else the value as evt.args renders it — hex results (mmap's
// res=7FAD48782000), durations, poll fd lists, unix tuples with their
// kernel pointers — as sysdig 0.29 prints %evt.arg.X on the shared traces
// (internal/sysdigdiff). Buffers are not cut to evt.args' 80 bytes.
func TestEvtArgValueForms(t *testing.T) {
	fds := make([]byte, 2, 22)
	binary.LittleEndian.PutUint16(fds, 2)
	fds = binary.LittleEndian.AppendUint64(fds, 3)
	fds = binary.LittleEndian.AppendUint16(fds, 1)
	fds = binary.LittleEndian.AppendUint64(fds, 4)
	fds = binary.LittleEndian.AppendUint16(fds, 0x40)
	long := make([]byte, 200)
	for i := range long {
		long[i] = 'a' + byte(i%26)
	}
	mmapX := func(res int64) ev {
		return ev{event.SyscallMmapX, 300, func(b *event.Builder) {
			b.Int64(res)
			b.Uint32(0)
			b.Uint32(0)
			b.Uint32(0)
			b.Uint64(0x7fad48770000)
			b.Uint64(4096)
			b.Uint32(3)
			b.Uint32(0x22)
			b.Int64(-1)
			b.Uint64(0)
		}}
	}
	cases := []struct {
		ev    ev
		field string
		want  string
	}{
		{mmapX(0x7fad48782000), "evt.arg.res", "7FAD48782000"},
		{mmapX(-12), "evt.arg.res", "ENOMEM"},
		{mmapX(0x7fad48782000), "evt.arg.addr", "7FAD48770000"},
		{mmapX(0x7fad48782000), "evt.arg.length", "4096"},
		{mmapX(0x7fad48782000), "evt.rawarg.res", "140382221901824"},
		{ev{event.SyscallNanosleepE, 300, func(b *event.Builder) { b.Uint64(1_000_000_000) }}, "evt.arg.interval", "1s"},
		{ev{event.SyscallNanosleepE, 300, func(b *event.Builder) { b.Uint64(0) }}, "evt.arg[0]", "0s"},
		{ev{event.SyscallPollE, 300, func(b *event.Builder) { b.Bytes(fds); b.Int64(-1) }}, "evt.arg.fds", "3:f1 4:440"},
		{ev{event.SocketConnectX, 300, func(b *event.Builder) {
			b.Int64(-2)
			b.SockTupleUnix(0, 0xffff88003c420800, "/var/run/nscd/socket")
			b.Int64(9)
			b.SockAddrUnix("/var/run/nscd/socket")
		}}, "evt.arg.tuple", "0->ffff88003c420800 /var/run/nscd/socket"},
		{ev{event.SyscallWriteX, 300, func(b *event.Builder) { b.Int64(200); b.Bytes(long); b.Int64(3); b.Uint32(200) }}, "evt.arg.data", string(long)},
	}
	for _, tc := range cases {
		if got := extractAfter(t, tc.ev, tc.field); got != tc.want {
			t.Errorf("%s on %s: %q, want %q", tc.field, tc.ev.t, got, tc.want)
		}
	}
}
