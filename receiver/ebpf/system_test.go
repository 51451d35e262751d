package ebpf

import (
	"os"
	"testing"

	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/event"
)

func TestNamespacesAndMounts(t *testing.T) {
	if os.Geteuid() != 0 {
		childtest.SkipOrFail(t, "needs root for unshare, setns and mount")
	}
	dir := t.TempDir()
	r := runHelper(t, 0, "ns", dir)

	ev := r.one(t, event.SyscallUnshareX, func(ev *event.Event) bool { return puint(t, ev, "flags") == pCL_NEWNET })
	eq(t, "unshare(NEWNET) res", pint(t, ev, "res"), r.num(t, "unshare"))
	eq(t, "unshare(NEWNET) succeeded", r.num(t, "unshare"), 0)
	ev = r.one(t, event.SyscallUnshareX, func(ev *event.Event) bool { return puint(t, ev, "flags") == pCL_NEWNS })
	eq(t, "unshare(NEWNS) res", pint(t, ev, "res"), 0)

	ev = r.one(t, event.SyscallSetnsX, nil)
	eq(t, "setns res", pint(t, ev, "res"), r.num(t, "setns"))
	eq(t, "setns fd", pint(t, ev, "fd"), r.num(t, "nsfd"))
	eq(t, "setns nstype", puint(t, ev, "nstype"), pCL_NEWNET)

	ev = r.one(t, event.SyscallMountX, byStr(t, "dir", dir))
	eq(t, "mount res", pint(t, ev, "res"), 0)
	eq(t, "mount dev", pstr(t, ev, "dev"), "saker-tmpfs")
	eq(t, "mount type", pstr(t, ev, "type"), "tmpfs")
	eq(t, "mount flags", puint(t, ev, "flags"), 2|4) // MS_NOSUID | MS_NODEV
	ev = r.one(t, event.SyscallUmount2X, nil)
	eq(t, "umount2 res", pint(t, ev, "res"), 0)
	eq(t, "umount2 name", pstr(t, ev, "name"), dir)
	eq(t, "umount2 flags", puint(t, ev, "flags"), 2) // MNT_DETACH

	ev = r.one(t, event.SyscallChdirX, nil)
	eq(t, "chdir", [2]any{pint(t, ev, "res"), pstr(t, ev, "path")}, [2]any{int64(0), "/tmp"})
	ev = r.one(t, event.SyscallFchdirX, nil)
	eq(t, "fchdir", [2]int64{pint(t, ev, "res"), pint(t, ev, "fd")}, [2]int64{0, r.num(t, "rootfd")})
	ev = r.one(t, event.SyscallChrootX, nil)
	eq(t, "chroot", [2]any{pint(t, ev, "res"), pstr(t, ev, "path")}, [2]any{int64(0), "/"})
}

func TestCredentialsAndKernel(t *testing.T) {
	if os.Geteuid() != 0 {
		childtest.SkipOrFail(t, "needs root for ptrace and bpf")
	}
	r := runHelper(t, 0, "creds")

	ev := r.one(t, event.SyscallSetuidX, nil)
	eq(t, "setuid", [2]int64{pint(t, ev, "res"), int64(puint(t, ev, "uid"))}, [2]int64{0, 0})
	ev = r.one(t, event.SyscallSetgidX, nil)
	eq(t, "setgid res", pint(t, ev, "res"), 0)
	ev = r.one(t, event.SyscallSetresuidX, nil)
	eq(t, "setresuid", [3]uint64{puint(t, ev, "ruid"), puint(t, ev, "euid"), puint(t, ev, "suid")}, [3]uint64{0xffffffff, 0, 0xffffffff})
	ev = r.one(t, event.SyscallSetresgidX, nil)
	eq(t, "setresgid res", pint(t, ev, "res"), 0)
	ev = r.one(t, event.SyscallCapsetX, nil)
	eq(t, "capset res", pint(t, ev, "res"), 0)
	eq(t, "capset cap_effective", puint(t, ev, "cap_effective"), uint64(r.num(t, "cap_eff")))

	ev = r.one(t, event.SyscallPrctlX, byInt(t, "option", 15)) // PR_SET_NAME
	eq(t, "prctl res", pint(t, ev, "res"), 0)
	eq(t, "prctl arg2_str", pstr(t, ev, "arg2_str"), "saker-pr")

	child := r.num(t, "child")
	ev = r.one(t, event.SyscallPtraceX, byInt(t, "request", 11)) // PPM PTRACE_ATTACH
	eq(t, "ptrace attach", [2]int64{pint(t, ev, "res"), pint(t, ev, "pid")}, [2]int64{0, child})
	ev = r.one(t, event.SyscallPtraceX, byInt(t, "request", 12)) // PPM PTRACE_DETACH
	idx, val, _ := ev.Dyn(paramIndex(t, ev, "data"))
	eq(t, "ptrace detach data", [2]any{idx, len(val)}, [2]any{uint8(1), 1}) // a signal (PPM_PTRACE_IDX_SIGTYPE)

	// The test binary's own start-up may call bpf() too: take the last call.
	bpfs := r.of(event.SyscallBpfV2X, r.pid)
	if len(bpfs) == 0 {
		t.Fatal("no bpf event")
	}
	ev = bpfs[len(bpfs)-1]
	eq(t, "bpf fd", pint(t, ev, "fd"), r.num(t, "bpf"))
	eq(t, "bpf cmd", puint(t, ev, "cmd"), 0) // BPF_MAP_CREATE
	if r.num(t, "bpf") < 0 {
		t.Errorf("bpf(BPF_MAP_CREATE) failed: %d", r.num(t, "bpf"))
	}

	ev = r.one(t, event.SyscallInitModuleX, nil)
	eq(t, "init_module res", pint(t, ev, "res"), r.num(t, "init_module"))
	eq(t, "init_module length", puint(t, ev, "length"), 17)
	eqBytes(t, "init_module img", pbytes(t, ev, "img"), []byte("\x7fELF-not-a-module"))
	eq(t, "init_module uargs", pstr(t, ev, "uargs"), "saker=1")
	ev = r.one(t, event.SyscallFinitModuleX, nil)
	eq(t, "finit_module res", pint(t, ev, "res"), r.num(t, "finit_module"))
	eq(t, "finit_module fd", pint(t, ev, "fd"), r.num(t, "null"))
	eq(t, "finit_module uargs", pstr(t, ev, "uargs"), "saker=2")
	eq(t, "finit_module flags", puint(t, ev, "flags"), 2)
}
