package childtest

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// KernelCalls makes the calls that reach into the kernel or another
// process: ptrace attach and detach of a paused child (killed after),
// bpf(BPF_MAP_CREATE) of a one-entry array, init_module of an image that
// is not a module and finit_module of /dev/null (both fail: no module is
// loaded). Keys: child, ptrace_attach, ptrace_detach, bpf, init_module,
// null, finit_module.
func KernelCalls(out map[string]any) {
	child, _, _ := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
	if child == 0 {
		for {
			unix.RawSyscall(unix.SYS_PAUSE, 0, 0, 0)
		}
	}
	out["child"] = child
	r, e := Raw(unix.SYS_PTRACE, unix.PTRACE_ATTACH, child, 0, 0)
	Must(out, "ptrace_attach", r, e)
	var ws unix.WaitStatus
	unix.Wait4(int(child), &ws, 0, nil)
	r, e = Raw(unix.SYS_PTRACE, unix.PTRACE_DETACH, child, 0, 0)
	Must(out, "ptrace_detach", r, e)
	unix.Kill(int(child), unix.SIGKILL)
	unix.Wait4(int(child), &ws, 0, nil)

	attr := struct{ typ, key, value, max, flags uint32 }{typ: 2 /* BPF_MAP_TYPE_ARRAY */, key: 4, value: 4, max: 1}
	r, e = Raw(unix.SYS_BPF, 0 /* BPF_MAP_CREATE */, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	Must(out, "bpf", r, e)

	img := []byte("\x7fELF-not-a-module")
	r, e = Raw(unix.SYS_INIT_MODULE, uintptr(unsafe.Pointer(&img[0])), uintptr(len(img)), uintptr(CStr("saker=1")))
	Must(out, "init_module", r, e)
	null, _ := Raw(unix.SYS_OPEN, uintptr(CStr("/dev/null")), unix.O_RDONLY, 0)
	out["null"] = null
	r, e = Raw(unix.SYS_FINIT_MODULE, uintptr(null), uintptr(CStr("saker=2")), 2 /* MODULE_INIT_IGNORE_VERMAGIC */)
	Must(out, "finit_module", r, e)
}
