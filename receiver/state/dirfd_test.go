package state

import (
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// The *at calls whose enter events carry no parameter resolve their event
// fd from the directory fd of the exit event, not from an fd used by an
// earlier call (live streams have no enter events at all). Found by the
// live tests (internal/livetest): fd.name of a live mkdirat was fd 0's.
func TestDirfdIsTheEventFDOfAtCalls(t *testing.T) {
	f := newFeeder(t, nil)
	f.proc(100, 1, "app")
	f.open(100, 0, "/dev/null", OpenRdonly)
	f.do(event.SyscallOpenatV2X, 100, P{"fd": 5, "dirfd": AtFDCWD, "name": "/srv/data", "flags": OpenRdonly | OpenDirectory})
	cases := []struct {
		typ event.Type
		p   P
	}{
		{event.SyscallMkdiratX, P{"res": 0, "dirfd": 5, "path": "d", "mode": 0o700}},
		{event.SyscallUnlinkatV2X, P{"res": 0, "dirfd": 5, "name": "d", "flags": 0}},
		{event.SyscallFchmodatX, P{"res": 0, "dirfd": 5, "filename": "f", "mode": 0o600}},
		{event.SyscallFchownatX, P{"res": 0, "dirfd": 5, "pathname": "f", "uid": uint32(1), "gid": uint32(1), "flags": 0}},
		{event.SyscallSymlinkatX, P{"res": 0, "target": "/etc/passwd", "linkdirfd": 5, "linkpath": "l"}},
	}
	for _, c := range cases {
		s := f.do(c.typ, 100, c.p)
		fd, num := s.EventFD()
		if num != 5 || fd == nil || fd.Name != "/srv/data" {
			t.Errorf("%v: event fd %d %v, want 5 /srv/data", c.typ, num, fd)
		}
	}
	// AT_FDCWD names no fd.
	s := f.do(event.SyscallMkdiratX, 100, P{"res": 0, "dirfd": AtFDCWD, "path": "d", "mode": 0o700})
	if fd, num := s.EventFD(); fd != nil || num != -1 {
		t.Errorf("mkdirat(AT_FDCWD): event fd %d %v, want none", num, fd)
	}
}
