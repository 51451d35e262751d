package fields_test

import (
	"testing"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
)

// ppmCode returns the PPM_SC code of a syscall name (the ID parameter of
// generic events).
func ppmCode(t *testing.T, name string) uint16 {
	t.Helper()
	for id := uint64(0); id < 1024; id++ {
		if fields.PPMSyscallName(id) == name {
			return uint16(id)
		}
	}
	t.Fatalf("no PPM_SC code for %s", name)
	return 0
}

// Generic events are named by their ID parameter (a PPM_SC code), as
// sysdig 0.29 names them (syscall.scap's madvise, curl_google.scap's
// clock_gettime, run_as_user_0_container.scap's sigreturn whose native
// number is rt_sigreturn's): the exit event has no nativeID unless the
// converter merged it from the enter event.
func TestGenericEventNames(t *testing.T) {
	madvise, sigreturn := ppmCode(t, "madvise"), ppmCode(t, "sigreturn")
	cases := []struct {
		ev   ev
		want string
	}{
		{ev{event.GenericE, 300, func(b *event.Builder) { b.Uint16(madvise); b.Uint16(28) }}, "madvise"},
		{ev{event.GenericX, 300, func(b *event.Builder) { b.Uint16(madvise) }}, "madvise"},
		{ev{event.GenericX, 300, func(b *event.Builder) { b.Uint16(madvise); b.Uint16(28) }}, "madvise"},
		{ev{event.GenericE, 300, func(b *event.Builder) { b.Uint16(sigreturn); b.Uint16(15) }}, "sigreturn"},
		{ev{event.GenericX, 300, func(b *event.Builder) { b.Uint16(0) }}, "<unknown>"},
	}
	for _, tc := range cases {
		e := build(t, tc.ev)
		ctx := &fields.Ctx{}
		ctx.Reset(e)
		for _, f := range []string{"evt.type", "syscall.type"} {
			if got := extract(t, ctx, f); got != tc.want {
				t.Errorf("%s of %s with %d params: %q, want %q", f, e.Type(), e.NumParams(), got, tc.want)
			}
		}
	}
}
