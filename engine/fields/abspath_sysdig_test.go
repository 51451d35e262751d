package fields_test

import (
	"testing"

	"github.com/sakersec/saker/internal/oracle"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

// evt.abspath against sysdig 0.29: the shared traces have no event it
// applies to, so the test writes a capture (receiver/scap) with one event
// of each kind — paths relative to the cwd, to a known dirfd and to an
// unknown one, absolute paths to clean — and compares, event by event,
// what sysdig prints for evt.abspath, .src and .dst with saker's values.
func TestAbspathMatchesSysdig(t *testing.T) {
	bin := oracle.Sysdig(t)
	md := oracleProcess("/home/alice/")
	md.FDs = []scap.FD{{Tid: 300, FD: 6, Type: scap.FDDirectory, Name: "/srv/data"}}
	c := newOracleCapture(t, md)
	emit := c.emit
	rename := func(typ event.Type, od int64, op string, nd int64, np string) {
		emit(typ, func(b *event.Builder) {
			b.Int64(0)
			b.Int64(od)
			b.String(op)
			b.Int64(nd)
			b.String(np)
			if typ == event.SyscallRenameat2X {
				b.Uint32(0)
			}
		})
	}
	rename(event.SyscallRenameatX, -100, "a/../b", 6, "c")
	rename(event.SyscallRenameatX, 42, "x", -100, "/tmp//y/")
	rename(event.SyscallRenameat2X, 6, "./p", 6, "q/r")
	emit(event.SyscallMkdiratX, func(b *event.Builder) { b.Int64(0); b.Int64(6); b.String("d"); b.Uint32(0o755) })
	emit(event.SyscallSymlinkatX, func(b *event.Builder) { b.Int64(0); b.String("/t"); b.Int64(-100); b.String("l") })
	emit(event.SyscallUnlinkatV2X, func(b *event.Builder) { b.Int64(0); b.Int64(6); b.String("u"); b.Uint32(0) })
	emit(event.SyscallLinkatV2X, func(b *event.Builder) {
		b.Int64(0)
		b.Int64(6)
		b.String("o")
		b.Int64(-100)
		b.String("n")
		b.Uint32(0)
	})
	emit(event.SyscallFchmodatX, func(b *event.Builder) { b.Int64(0); b.Int64(6); b.String("m"); b.Uint32(0o644) })
	emit(event.SyscallOpenatV2X, func(b *event.Builder) {
		b.Int64(7)
		b.Int64(6)
		b.String("f")
		b.Uint32(1)
		b.Uint32(0)
		b.Uint32(0)
		b.Uint64(0)
	})
	emit(event.SyscallReadE, func(b *event.Builder) { b.Int64(7); b.Uint32(10) })
	path, evs := c.close()

	names := []string{"evt.abspath", "evt.abspath.src", "evt.abspath.dst"}
	resolved := compareWithSysdig(t, bin, path, md, evs, names)
	if resolved == 0 {
		t.Error("no evt.abspath value on any event: the comparison proves nothing")
	}
}
