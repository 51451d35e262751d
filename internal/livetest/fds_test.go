package livetest

import (
	"testing"
)

// The dup family, fcntl(F_DUPFD), close, pipe/pipe2, memfd_create,
// userfaultfd and io_uring_setup: the event's fd (the old fd for dups, as
// the rules on redirected standard streams read it), the duplicated fd
// keeping its name in the state, and the fd types rules test.
func TestFDFamilyFields(t *testing.T) {
	r := runHelper(t, 0, "fds")
	fd := r.numStr(t, "fd")
	null := []string{"fd.num", fd, "fd.name", "/dev/null", "fd.typechar", "f", "fd.type", "file",
		"fd.directory", "/dev", "fd.filename", "null", "evt.arg.oldfd", "<f>/dev/null"}

	rec := r.one(t, "open", where("evt.rawarg.name", "/dev/null"))
	expectIdentity(t, rec, r)
	expect(t, rec, "fd.num", fd, "fd.name", "/dev/null")

	// (The helper's start-up dup3s of its standard streams come first.)
	rec = r.one(t, "dup", nil)
	expect(t, rec, null...)
	expect(t, rec, "evt.rawres", r.numStr(t, "dup"), "evt.arg.res", "<f>/dev/null", "evt.res", "SUCCESS")
	rec = r.one(t, "dup2", nil)
	expect(t, rec, null...)
	expect(t, rec, "evt.rawres", "100", "evt.arg.newfd", "<f>/dev/null", "evt.rawarg.newfd", "100")
	rec = r.one(t, "dup3", where("evt.rawres", "101"))
	expect(t, rec, null...)
	expect(t, rec, "evt.rawres", "101", "evt.arg.flags", "O_CLOEXEC")
	rec = r.one(t, "fcntl", where("evt.arg.cmd", "F_DUPFD_CLOEXEC"))
	expect(t, rec, "fd.num", fd, "fd.name", "/dev/null", "evt.rawres", "200", "evt.arg.fd", "<f>/dev/null")

	// The original closed, then its dup2 copy: the copy is still known.
	rec = r.one(t, "close", where("evt.rawarg.fd", fd, "fd.name", "/dev/null"))
	expect(t, rec, "fd.name", "/dev/null", "evt.res", "SUCCESS")
	rec = r.one(t, "close", where("evt.rawarg.fd", "100"))
	expect(t, rec, "fd.num", "100", "fd.name", "/dev/null", "fd.typechar", "f", "evt.res", "SUCCESS")
	rec = r.one(t, "close", where("evt.rawarg.fd", "9999"))
	expect(t, rec, "evt.res", "EBADF", "evt.rawres", "-9", "evt.failed", "true", "fd.num", "9999")

	// pipe and pipe2: the event's fd is the second one (libs' choice).
	rec = r.one(t, "pipe", nil)
	expect(t, rec, "evt.res", "SUCCESS", "fd.num", r.numStr(t, "pipe_w"), "fd.typechar", "p", "fd.type", "pipe",
		"fd.ino", r.str(t, "pipe_ino"), "evt.rawarg.fd1", r.numStr(t, "pipe_r"), "evt.rawarg.fd2", r.numStr(t, "pipe_w"))
	rec = r.one(t, "pipe2", nil)
	expect(t, rec, "fd.num", r.numStr(t, "pipe2_w"), "fd.typechar", "p", "evt.arg.flags", "O_NONBLOCK|O_CLOEXEC")

	rec = r.one(t, "memfd_create", nil)
	expect(t, rec, "fd.num", r.numStr(t, "memfd"), "fd.name", "memfd:saker-memfd", "fd.typechar", "m", "fd.type", "memfd",
		"evt.arg.name", "saker-memfd", "evt.arg.flags", "MFD_CLOEXEC|MFD_ALLOW_SEALING")
	rec = r.one(t, "userfaultfd", nil)
	expect(t, rec, "fd.num", r.numStr(t, "userfaultfd"), "fd.typechar", "u", "fd.type", "userfaultfd",
		"evt.arg.flags", "O_NONBLOCK|O_CLOEXEC")
	rec = r.one(t, "io_uring_setup", nil)
	expect(t, rec, "fd.num", r.numStr(t, "io_uring"), "fd.typechar", "r", "fd.type", "io_uring",
		"evt.arg.entries", "4", "evt.arg.sq_entries", "4")
}
