package ebpf

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sakersec/saker/bpf"
	"github.com/sakersec/saker/receiver/event"
)

func TestSupportedMatchesTable(t *testing.T) {
	sup := Supported()
	if !slices.Contains(sup, Procexit) || !slices.IsSorted(sup) {
		t.Fatalf("Supported() = %v: want sorted, with procexit", sup)
	}
	for _, s := range bpf.Syscalls() {
		// Every program writes the newest exit event of its syscall.
		typ := event.Type(s.Event)
		info := typ.Info()
		if info == nil || info.Name != s.EventName || info.Dir != event.Exit || info.Flags&event.FlagOldVersion != 0 {
			t.Errorf("%s writes %s, not the current exit event named %s", s.Name, typ, s.EventName)
		}
		// Only pread64, pwrite64 and prlimit64 write events of another
		// name (pread, pwrite, prlimit, as in libs).
		if want := strings.TrimSuffix(s.Name, "64"); s.EventName != s.Name && s.EventName != want {
			t.Errorf("%s writes the event named %s", s.Name, s.EventName)
		}
		nr, ok := event.SyscallNumber(s.Name)
		if !ok || nr != s.Nr {
			t.Errorf("%s: number %d, want %d", s.Name, s.Nr, nr)
		}
		if s.NeverDrop && !s.ModifiesState {
			t.Errorf("%s is never dropped but does not modify state", s.Name)
		}
	}
}

// Generic lists the syscalls without an event type of their own, each
// with its x86_64 number and the PPM_SC code libs gives it, and nothing
// that has an event type or never reports its exit.
func TestGenericSyscalls(t *testing.T) {
	gen := Generic()
	if !slices.IsSorted(gen) {
		t.Error("Generic() is not sorted")
	}
	for _, n := range []string{"truncate", "ftruncate", "setfsuid", "setfsgid", "pidfd_send_signal", "fsopen", "fsmount",
		"move_mount", "kexec_load", "pivot_root", "fchmodat2", "getppid"} {
		if !slices.Contains(gen, n) || !IsSupported(n) {
			t.Errorf("%s is not a supported generic syscall", n)
		}
	}
	for _, n := range []string{"exit", "exit_group", "rt_sigreturn", "read", "pread64", "mmap", "openat", "setreuid", "procexit"} {
		if slices.Contains(gen, n) {
			t.Errorf("%s is generic", n)
		}
	}
	if IsSupported("mmap2") || !IsSupported("procexit") || !IsSupported("setreuid") {
		t.Error("IsSupported: want mmap2 (a 32-bit event type only) no, procexit and setreuid yes")
	}
	// Facts of the x86_64 syscall table and of libs' PPM_SC numbering.
	for _, c := range []struct {
		name  string
		nr    uint16
		ppmsc uint16
	}{{"truncate", 76, 57}, {"setfsuid", 122, 135}, {"kexec_load", 246, 187}, {"getppid", 110, 41}, {"fchmodat2", 452, 0}} {
		g, ok := bpf.GenericSyscallByName(c.name)
		if !ok || g.Nr != c.nr || g.PPMSC != c.ppmsc {
			t.Errorf("%s = %+v, want nr %d, PPM_SC %d", c.name, g, c.nr, c.ppmsc)
		}
	}
	for _, g := range bpf.GenericSyscalls() {
		if n, ok := event.SyscallNumber(g.Name); ok && n != g.Nr {
			t.Errorf("%s: number %d, receiver/event says %d", g.Name, g.Nr, n)
		}
		if len(event.TypesByName(g.Name)) > 0 {
			t.Errorf("%s has an event type but is generic", g.Name)
		}
	}
}

func TestSelectSyscalls(t *testing.T) {
	state := StateSet()
	for _, n := range []string{"clone", "execve", "procexit", "open", "close", "dup2", "socket", "connect", "setuid"} {
		if !slices.Contains(state, n) {
			t.Errorf("state set lacks %s", n)
		}
	}
	for _, n := range []string{"unlink", "ptrace", "kill"} {
		if slices.Contains(state, n) {
			t.Errorf("state set has %s", n)
		}
	}

	// Default: rules ∪ state; unsupported rule types are reported.
	// (mmap2 is an event type of 32-bit kernels only: no x86_64 syscall.)
	sel := SelectSyscalls([]string{"ptrace", "mmap2", "openat"}, BaseSyscalls{})
	if !slices.Contains(sel.Names, "ptrace") || !slices.Contains(sel.Names, "execve") {
		t.Errorf("default selection %v lacks ptrace or execve", sel.Names)
	}
	eq(t, "unsupported", strings.Join(sel.Unsupported, ","), "mmap2")
	eq(t, "default size", len(sel.Names), len(state)+1)

	// custom_set replaces the state set; !name removes.
	sel = SelectSyscalls([]string{"ptrace"}, BaseSyscalls{CustomSet: []string{"openat", "close", "!ptrace"}})
	eq(t, "custom_set", strings.Join(sel.Names, ","), "close,openat")

	// repair: rules ∪ custom_set ∪ what they need.
	sel = SelectSyscalls([]string{"connect"}, BaseSyscalls{Repair: true})
	for _, n := range []string{"connect", "socket", "close", "execve", "clone", "procexit", "dup2"} {
		if !slices.Contains(sel.Names, n) {
			t.Errorf("repair of connect lacks %s: %v", n, sel.Names)
		}
	}
	if slices.Contains(sel.Names, "unlink") {
		t.Errorf("repair added unrelated unlink: %v", sel.Names)
	}
	sel = SelectSyscalls([]string{"kill"}, BaseSyscalls{Repair: true})
	if slices.Contains(sel.Names, "open") || !slices.Contains(sel.Names, "execve") {
		t.Errorf("repair of kill: want the process set only, got %v", sel.Names)
	}

	// Event types select by name.
	sel = SelectSyscallsForTypes([]event.Type{event.SyscallOpenE, event.SyscallOpenX, event.SyscallExecveV8X, event.GenericX}, []string{"truncate"}, BaseSyscalls{CustomSet: []string{"close"}})
	eq(t, "for types", strings.Join(sel.Names, ","), "close,execve,open,truncate")
	// An event named otherwise than its syscall selects the syscall.
	sel = SelectSyscallsForTypes([]event.Type{event.SyscallPrlimitX}, nil, BaseSyscalls{CustomSet: []string{"close"}})
	eq(t, "prlimit", strings.Join(sel.Names, ","), "close,prlimit64")

	// all: everything, minus removals.
	sel = SelectSyscalls(nil, BaseSyscalls{All: true, CustomSet: []string{"!kill", "!nonesuch"}})
	eq(t, "all", len(sel.Names), len(Supported())+len(Generic())-1)
	if !slices.Contains(sel.Names, "truncate") {
		t.Errorf("all lacks the generic truncate")
	}

	eq(t, "all unsupported", strings.Join(sel.Unsupported, ","), "nonesuch")

	// Syscalls without an event type of their own are selected by name.
	sel = SelectSyscalls([]string{"truncate", "fchmodat2", "mmap2"}, BaseSyscalls{CustomSet: []string{"openat"}})
	eq(t, "generic names", strings.Join(sel.Names, ","), "fchmodat2,openat,truncate")
	eq(t, "generic unsupported", strings.Join(sel.Unsupported, ","), "mmap2")
}

func TestConfigValidation(t *testing.T) {
	for _, c := range []Config{
		{RingSize: 3 << 20},
		{RingSize: 1024},
		{SamplingRatio: 3},
		{Snaplen: 1 << 20},
	} {
		if _, err := c.withDefaults(); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if _, _, err := syscallFilter([]string{"openat", "mmap2"}); err == nil || !strings.Contains(err.Error(), "mmap2") {
		t.Errorf("unknown syscall: err = %v", err)
	}
	c, err := (&Config{}).withDefaults()
	if err != nil || c.RingSize != DefaultRingSize || c.SamplingRatio != 1 || c.Snaplen != DefaultSnaplen {
		t.Errorf("defaults %+v, %v", c, err)
	}
}

// Without the needed capabilities Open fails with a LoadError that names
// them, in one line.
func TestLoadErrorNamesCapability(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to drop capabilities in a child")
	}
	r := runHelper(t, 0, "noprivs-open")
	msg, _ := r.result["error"].(string)
	t.Logf("error: %s", msg)
	if !strings.Contains(msg, "CAP_BPF") || !strings.Contains(msg, "cannot load saker's eBPF programs") || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want one line naming CAP_BPF", msg)
	}
	eq(t, "is LoadError", r.result["load_error"], true)
}
