package livetest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// execve (failed, then a shell whose command runs under vfork): the
// process fields of the new program and of its ancestors, as the
// spawned_process rules read them.
func TestExecveFields(t *testing.T) {
	script := "/bin/echo hello 'saker world'; exit 0"
	conds := []string{
		"evt.type in (execve, execveat) and proc.name=echo and proc.pname=sh and proc.cmdline=\"echo hello saker world\"",
		"evt.type=execve and proc.aname[2]=" + comm(filepath.Base(os.Args[0])) + " and proc.args contains saker",
	}
	r := runWatched(t, watchOpts{conds: compile(t, conds...)}, 0, "exec", script)
	me := comm(filepath.Base(os.Args[0]))
	pid := strconv.Itoa(r.pid)
	sh, echo := realPath(t, "/bin/sh"), realPath(t, "/bin/echo")

	// The failed attempt changes nothing: the fields still describe the helper.
	rec := r.one(t, "execve", where("evt.res", "ENOENT"))
	expectIdentity(t, rec, r, script)
	expect(t, rec, "evt.rawres", "-2", "evt.failed", "true", "evt.arg.filename", "/nonexistent/ghost",
		"evt.arg.exe", "ghost", "evt.arg.args", "--flag.")

	// The helper becomes the shell.
	shCmd := cmdline("sh", "-c", script)
	rec = r.one(t, "execve", where("evt.rawarg.filename", "/bin/sh"))
	expect(t, rec, "evt.res", "SUCCESS", "evt.rawres", "0", "proc.name", "sh", "proc.exe", "sh", "proc.exepath", sh,
		"proc.cmdline", shCmd, "proc.args", "-c "+script, "proc.pid", pid, "thread.tid", pid, "proc.pname", me,
		"proc.pexe", os.Args[0], "proc.aname[1]", me, "user.name", "root", "proc.tty", "0", "container.id", "host")

	// sh starts echo with vfork: both sides of it.
	rec = r.one(t, "vfork", where("evt.res", "SUCCESS", "proc.pid", pid))
	child := rec.get("evt.rawres")
	expect(t, rec, "evt.arg.flags", "CLONE_VM|CLONE_VFORK", "proc.name", "sh")
	n, err := strconv.Atoi(child)
	if err != nil || n <= 0 {
		t.Fatalf("vfork in the shell returned %q", child)
	}
	rec = r.oneOf(t, "vfork", n, nil)
	expect(t, rec, "evt.rawres", "0", "proc.pid", child, "proc.ppid", pid, "proc.name", "sh", "proc.pname", "sh",
		"thread.tid", child, "thread.ismain", "true")

	// echo, with argv.
	rec = r.oneOf(t, "execve", n, nil)
	expect(t, rec, "evt.res", "SUCCESS", "proc.name", "echo", "proc.exe", "/bin/echo", "proc.exepath", echo,
		"proc.cmdline", "echo hello saker world", "proc.args", "hello saker world", "evt.arg.args", "hello.saker world.",
		"proc.pid", child, "proc.vpid", child, "thread.tid", child, "proc.ppid", pid,
		"proc.pname", "sh", "proc.pexe", "sh", "proc.pexepath", sh, "proc.pcmdline", shCmd,
		"proc.aname[1]", "sh", "proc.apid[1]", pid, "proc.aname[2]", me, "proc.aname[3]", procComm(t, os.Getppid()),
		"proc.aexepath[2]", realPath(t, os.Args[0]),
		"user.name", "root", "user.uid", "0", "group.name", "root", "proc.tty", "0", "container.id", "host")
	for _, c := range conds {
		if !rec.holds(c) {
			t.Errorf("echo's execve: %q does not hold", c)
		}
	}
	rec = r.oneOf(t, "procexit", n, nil)
	expect(t, rec, "proc.name", "echo", "evt.arg.status", "0", "evt.arg.ret", "0")
}

// execveat of a program in a memfd: proc.is_exe_from_memfd, the rule on
// fileless execution reads it.
func TestExecveatMemfdFields(t *testing.T) {
	r := runHelper(t, 0, "exec-memfd", "/bin/true")
	rec := r.one(t, "execveat", where("evt.res", "SUCCESS"))
	// The kernel names the program after the file (comm "memfd:saker-exe"
	// on this kernel; "3", the fd, on older ones): proc.cmdline is that
	// name with no arguments.
	expect(t, rec, "proc.is_exe_from_memfd", "true", "proc.exe", "memfd-prog", "proc.cmdline", rec.get("proc.name"),
		"proc.pid", strconv.Itoa(r.pid), "evt.arg.flags", "EXE_WRITABLE|EXE_FROM_MEMFD")
	if p := rec.get("proc.exepath"); !strings.Contains(p, "memfd:saker-exe") {
		t.Errorf("proc.exepath %q does not name the memfd", p)
	}
	rec = r.one(t, "memfd_create", nil)
	expect(t, rec, "fd.name", "memfd:saker-exe", "fd.typechar", "m")
}

// A program started on a controlling terminal: proc.tty, which the
// interactive-shell rules compare with 0.
func TestTTYFields(t *testing.T) {
	r := runHelper(t, 0, "exec-tty", "/bin/true")
	tty := r.str(t, "tty_nr")
	if tty == "0" {
		t.Fatal("the helper has no controlling terminal")
	}
	rec := r.one(t, "execve", where("evt.rawarg.filename", "/bin/true"))
	expect(t, rec, "proc.tty", tty, "evt.arg.tty", tty, "proc.name", "true", "proc.pid", strconv.Itoa(r.pid),
		"proc.vpgid.name", "true", "proc.is_vpgid_leader", "true")
}

// fork, clone, clone3, procexit and the kill family: the child's identity
// and parent, exit statuses, signal targets by name.
func TestProcessFamilyFields(t *testing.T) {
	r := runHelper(t, 0, "process")
	me := comm(filepath.Base(os.Args[0]))
	pid := strconv.Itoa(r.pid)
	check := func(evt, key, status, sig string) {
		t.Helper()
		child := int(r.num(t, key))
		cs := strconv.Itoa(child)
		rec := r.one(t, evt, where("evt.rawres", cs))
		expectIdentity(t, rec, r)
		rec = r.oneOf(t, evt, child, nil)
		expect(t, rec, "evt.res", "SUCCESS", "evt.rawres", "0", "proc.pid", cs, "thread.tid", cs, "proc.ppid", pid,
			"proc.name", me, "proc.pname", me, "proc.aname[1]", me, "proc.apid[1]", pid, "proc.aname[2]", me,
			"thread.ismain", "true", "user.name", "root", "container.id", "host")
		rec = r.oneOf(t, "procexit", child, nil)
		expect(t, rec, "proc.pid", cs, "proc.ppid", pid, "evt.arg.status", status, "evt.arg.sig", sig)
	}
	check("fork", "fork", strconv.Itoa(7<<8), "0")
	check("clone", "clone", strconv.Itoa(9<<8), "0")
	check("clone3", "clone3", "9", "SIGKILL")

	paused := r.numStr(t, "paused")
	rec := r.one(t, "kill", nil)
	expect(t, rec, "evt.res", "SUCCESS", "evt.rawarg.pid", paused, "evt.arg.pid", me, "evt.arg.sig", "SIGKILL", "evt.rawarg.sig", "9")
	rec = r.one(t, "tkill", nil)
	expect(t, rec, "evt.res", "SUCCESS", "evt.rawarg.tid", pid, "evt.arg.tid", me, "evt.rawarg.sig", "0")
	rec = r.one(t, "tgkill", nil)
	expect(t, rec, "evt.res", "SUCCESS", "evt.rawarg.pid", pid, "evt.rawarg.tid", pid)
	rec = r.one(t, "procexit", nil)
	expect(t, rec, "proc.pid", pid, "evt.arg.status", "0", "evt.arg.ret", "0")

	// Threads (clone with CLONE_THREAD): thread fields on each thread's
	// events, process fields shared with the main thread.
	tids, _ := r.result["threads"].([]any)
	if len(tids) == 0 {
		t.Fatalf("the helper reported no threads: %v", r.result)
	}
	newThreads := 0
	for _, v := range tids {
		tid := int(v.(float64))
		ts := strconv.Itoa(tid)
		if tid == r.pid {
			continue // a goroutine locked to the main thread's M
		}
		ex := r.oneOf(t, "procexit", tid, nil)
		expect(t, ex, "thread.tid", ts, "thread.ismain", "false", "proc.pid", pid, "proc.name", me, "proc.pname", me,
			"proc.exepath", realPath(t, os.Args[0]), "user.name", "root", "container.id", "host")
		// (the Go runtime creates threads with clone3 where it can)
		if cl := append(r.all("clone", tid, where("evt.rawres", "0")), r.all("clone3", tid, where("evt.rawres", "0"))...); len(cl) == 1 {
			newThreads++
			// (Its flags are not checked: the child's side reads them from
			// the creator's memory, which may have been reused by then.)
			expect(t, cl[0], "thread.tid", ts, "thread.ismain", "false", "proc.pid", pid, "proc.name", me)
		}
	}
	if newThreads == 0 {
		t.Errorf("none of the helper's threads %v was seen created", tids)
	}
}
