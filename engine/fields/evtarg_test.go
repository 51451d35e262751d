package fields_test

import (
	"testing"

	"github.com/sakersec/saker/engine/fields"
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
		st := testState(t)
		e := build(t, tc.ev)
		st.Update(e)
		ctx := &fields.Ctx{State: st}
		ctx.Reset(e)
		if got := extract(t, ctx, tc.field); got != tc.want {
			t.Errorf("%s on %s: %q, want %q", tc.field, e.Type(), got, tc.want)
		}
	}
}
