package fields_test

import (
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// evt.arg.X is libs' resolved form of the parameter when there is one
// (sysdig 0.29 prints %evt.arg.fd as "<f>/etc/ld.so.cache" and
// %evt.arg.pid as "cat" on cat_write.scap), else its value. Found by the
// live tests (internal/livetest), which read the fields of real events.
func TestEvtArgResolvedForms(t *testing.T) {
	cases := []struct {
		ev    ev
		field string
		want  string
	}{
		{read(300, 3), "evt.arg.fd", "<f>/etc/passwd"},
		{read(300, 3), "evt.arg[0]", "<f>/etc/passwd"},
		{read(300, 3), "evt.rawarg.fd", "3"},
		{read(300, 99), "evt.arg.fd", "99"}, // unknown fd: the value
		{ev{event.SyscallKillX, 300, func(b *event.Builder) { b.Int64(0); b.Int64(200); b.Uint8(9) }}, "evt.arg.pid", "bash"},
		{ev{event.SyscallKillX, 300, func(b *event.Builder) { b.Int64(0); b.Int64(200); b.Uint8(9) }}, "evt.arg.sig", "SIGKILL"},
		{ev{event.SyscallKillX, 300, func(b *event.Builder) { b.Int64(0); b.Int64(4242); b.Uint8(9) }}, "evt.arg.pid", "4242"},
		{ev{event.SyscallSetuidX, 300, func(b *event.Builder) { b.Int64(0); b.Uint32(1000) }}, "evt.arg.uid", "alice"},
		{ev{event.SyscallSetuidX, 300, func(b *event.Builder) { b.Int64(0); b.Uint32(0) }}, "evt.arg.uid", "root"},
		{ev{event.SyscallSetuidX, 300, func(b *event.Builder) { b.Int64(0); b.Uint32(4321) }}, "evt.arg.uid", "4321"},
		{ev{event.SyscallSetuidX, 300, func(b *event.Builder) { b.Int64(-1); b.Uint32(0) }}, "evt.arg.res", "EPERM"},
		// a relative path against the dirfd's name, or the cwd
		{ev{event.SyscallMkdiratX, 300, func(b *event.Builder) { b.Int64(0); b.Int64(6); b.String("d2"); b.Uint32(0o700) }}, "evt.arg.path", "/home/alice/d2"},
		{ev{event.SyscallMkdiratX, 300, func(b *event.Builder) { b.Int64(0); b.Int64(-100); b.String("d3"); b.Uint32(0o700) }}, "evt.arg.path", "/home/alice/d3"},
		{ev{event.SyscallMkdirV2X, 300, func(b *event.Builder) { b.Int64(0); b.String("d1"); b.Uint32(0o700) }}, "evt.arg.path", "/home/alice/d1"},
		{ev{event.SyscallMkdirV2X, 300, func(b *event.Builder) { b.Int64(0); b.String("/abs"); b.Uint32(0o700) }}, "evt.arg.path", "/abs"},
	}
	for _, tc := range cases {
		if got := extractAfter(t, tc.ev, tc.field); got != tc.want {
			t.Errorf("%s on %s: %q, want %q", tc.field, tc.ev.t, got, tc.want)
		}
	}
}

// PT_DYN values are read by the type their dynamic table gives the index
// before them, and a user or group id the tables lack prints "(<NA>)", as
// sysdig 0.29 prints them (checked on live getsockopt, setsockopt and
// getresuid events recorded by saker: the lines are the same).
func TestDynAndUnknownIDArgs(t *testing.T) {
	sockopt := func(level, name uint8, idx uint8, val []byte) ev {
		return ev{event.SocketGetsockoptX, 300, func(b *event.Builder) {
			b.Int64(0)
			b.Int64(9999)
			b.Uint8(level)
			b.Uint8(name)
			b.Bytes(append([]byte{idx}, val...))
			b.Uint32(uint32(len(val)))
		}}
	}
	le32 := func(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }
	le64 := func(v uint64) []byte { return append(le32(uint32(v)), le32(uint32(v>>32))...) }
	cases := []struct {
		ev    ev
		field string
		want  string
	}{
		{sockopt(1, 3, 2, le32(1)), "evt.args", "res=0 fd=9999 level=1(SOL_SOCKET) optname=3(SO_TYPE) val=1 optlen=4 "},
		{sockopt(1, 38, 2, le32(17)), "evt.rawarg.val", "17"},
		{sockopt(1, 4, 1, le64(uint64(1<<64-111))), "evt.args", "res=0 fd=9999 level=1(SOL_SOCKET) optname=4(SO_ERROR) val=-111(ECONNREFUSED) optlen=8 "},
		{sockopt(1, 20, 4, le64(2_500_000_000)), "evt.args", "res=0 fd=9999 level=1(SOL_SOCKET) optname=20(SO_RCVTIMEO) val=2500000000(2.5s) optlen=8 "},
		{sockopt(1, 53, 3, le64(31)), "evt.args", "res=0 fd=9999 level=1(SOL_SOCKET) optname=53(SO_COOKIE) val=31 optlen=8 "},
		{sockopt(2, 0, 0, []byte{1, 'S', 0, 0}), "evt.args", "res=0 fd=9999 level=2(SOL_TCP) optname=0(UNKNOWN) val=.S.. optlen=4 "},
		{ev{event.SyscallSetuidX, 300, func(b *event.Builder) { b.Int64(0); b.Uint32(4321) }}, "evt.args", "res=0 uid=4321(<NA>) "},
		{ev{event.SyscallSetuidX, 300, func(b *event.Builder) { b.Int64(0); b.Uint32(1000) }}, "evt.args", "res=0 uid=1000(alice) "},
		{ev{event.SyscallSetuidX, 300, func(b *event.Builder) { b.Int64(0); b.Uint32(0xffffffff) }}, "evt.args", "res=0 uid=-1 "},
		// an id is a C int to libs (sysdig 0.29 prints it so)
		{ev{event.SyscallSetuidX, 300, func(b *event.Builder) { b.Int64(0); b.Uint32(1 << 31) }}, "evt.args", "res=0 uid=-2147483648(<NA>) "},
	}
	for _, tc := range cases {
		if got := extractAfter(t, tc.ev, tc.field); got != tc.want {
			t.Errorf("%s on %s:\n got %q\nwant %q", tc.field, tc.ev.t, got, tc.want)
		}
	}
}
