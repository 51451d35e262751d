package livetest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// comm is a process name as the kernel keeps it (15 bytes at most).
func comm(name string) string {
	if len(name) > 15 {
		return name[:15]
	}
	return name
}

// procComm reads /proc/<pid>/comm.
func procComm(t testing.TB, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(string(b), "\n")
}

// realPath is the path with symlinks resolved, as the kernel reports an
// executable's path.
func realPath(t testing.TB, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := filepath.EvalSymlinks(abs)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// cmdline renders proc.cmdline: the name, then each argument after a
// space.
func cmdline(name string, args ...string) string {
	if len(args) == 0 {
		return name
	}
	return name + " " + strings.Join(args, " ")
}

// expectIdentity checks the fields every event of the helper's main thread
// carries before it executes another program: the process is this test
// binary re-executed with args, a child of this test process, in the
// test's cwd, as root, on the host.
//
// proc.ppid is the thread of this test process that forked the helper:
// libs keeps the clone's ptid (the forking thread, as the kernel reports
// it) for processes it sees created, and the parent's pid for processes
// read from /proc.
func expectIdentity(t testing.TB, rec *record, r *run, args ...string) {
	t.Helper()
	expect(t, rec, helperIdentity(t, r, args...)...)
	for _, f := range []string{"proc.ppid", "proc.apid[1]"} {
		if tid, err := strconv.Atoi(rec.get(f)); err != nil || !selfThread(tid) {
			t.Errorf("%s: %s = %q, want a thread of the test process %d", rec.name(), f, rec.get(f), os.Getpid())
		}
	}
}

// selfThread reports whether tid is a thread of this test process.
func selfThread(tid int) bool {
	_, err := os.Stat("/proc/self/task/" + strconv.Itoa(tid))
	return err == nil
}

// helperIdentity lists expectIdentity's fields with fixed values (pairs of
// field, value).
func helperIdentity(t testing.TB, r *run, args ...string) []string {
	t.Helper()
	me := comm(filepath.Base(os.Args[0]))
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(r.pid)
	grand := os.Getppid()
	loginuid := "-1"
	if b, err := os.ReadFile("/proc/self/loginuid"); err == nil {
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32); err == nil && n != 1<<32-1 {
			loginuid = strconv.FormatUint(n, 10)
		}
	}
	return []string{
		"proc.name", me,
		"proc.exe", os.Args[0],
		"proc.exepath", realPath(t, os.Args[0]),
		"proc.cmdline", cmdline(me, args...),
		"proc.args", strings.Join(args, " "),
		"proc.pid", pid,
		"proc.vpid", pid,
		"thread.tid", pid,
		"thread.ismain", "true",
		"proc.pname", me,
		"proc.pexe", os.Args[0],
		"proc.pexepath", realPath(t, os.Args[0]),
		"proc.pcmdline", cmdline(me, os.Args[1:]...),
		"proc.aname[1]", me,
		"proc.aname[2]", procComm(t, grand),
		"proc.apid[2]", strconv.Itoa(grand),
		"proc.cwd", cwd + "/",
		"proc.tty", "0",
		"user.name", "root",
		"user.uid", "0",
		"user.loginuid", loginuid,
		"group.name", "root",
		"group.gid", "0",
		"container.id", "host",
		"container.type", "host",
	}
}
