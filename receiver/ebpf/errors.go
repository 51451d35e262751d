package ebpf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"
)

// LoadError reports why the kernel side could not be loaded or attached:
// the missing capability or kernel feature when one can be named, else the
// kernel's answer.
type LoadError struct {
	Reasons []string // what is missing, one sentence each
	Err     error    // the underlying error
}

func (e *LoadError) Error() string {
	return "cannot load saker's eBPF programs: " + strings.Join(e.Reasons, "; ")
}

func (e *LoadError) Unwrap() error { return e.Err }

// Capability numbers (linux/capability.h).
const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

// diagnose turns a load or attach failure into a LoadError by checking,
// in order, the capabilities of the calling thread, BTF, the ring buffer
// map type, tracing program support and kernel lockdown.
func diagnose(err error) error {
	var reasons []string
	if missing := missingCaps(); missing != "" {
		reasons = append(reasons, missing)
	}
	if _, statErr := os.Stat("/sys/kernel/btf/vmlinux"); statErr != nil {
		reasons = append(reasons, "the kernel exposes no BTF (/sys/kernel/btf/vmlinux is missing: a kernel 5.8+ built with CONFIG_DEBUG_INFO_BTF is needed)")
	}
	if len(reasons) == 0 {
		if ferr := features.HaveMapType(ebpf.RingBuf); ferr != nil && errors.Is(ferr, ebpf.ErrNotSupported) {
			reasons = append(reasons, "the kernel has no BPF ring buffer (kernel 5.8+ is needed)")
		}
		if ferr := features.HaveProgramType(ebpf.Tracing); ferr != nil && errors.Is(ferr, ebpf.ErrNotSupported) {
			reasons = append(reasons, "the kernel does not support BTF tracepoint (tp_btf) programs")
		}
		if b, rerr := os.ReadFile("/sys/kernel/security/lockdown"); rerr == nil && bytes.Contains(b, []byte("[confidentiality]")) {
			reasons = append(reasons, "kernel lockdown is in confidentiality mode, which forbids BPF tracing programs")
		}
	}
	if len(reasons) == 0 {
		reasons = append(reasons, firstLine(err))
	}
	return &LoadError{Reasons: reasons, Err: err}
}

// missingCaps names the capabilities the calling thread lacks, or "".
// CAP_SYS_ADMIN alone is enough; otherwise CAP_BPF and CAP_PERFMON are
// both needed (kernel 5.8+).
func missingCaps() string {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return ""
	}
	has := func(c uint) bool { return data[c/32].Effective&(1<<(c%32)) != 0 }
	if has(capSysAdmin) || (has(capBPF) && has(capPerfmon)) {
		return ""
	}
	var miss []string
	if !has(capBPF) {
		miss = append(miss, "CAP_BPF")
	}
	if !has(capPerfmon) {
		miss = append(miss, "CAP_PERFMON")
	}
	return fmt.Sprintf("missing capability %s: run as root or grant CAP_BPF and CAP_PERFMON", strings.Join(miss, " and "))
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
