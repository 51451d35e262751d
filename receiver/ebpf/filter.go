package ebpf

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/sakersec/saker/bpf"
	"github.com/sakersec/saker/receiver/event"
)

// Procexit is the name of the process-exit event in interesting sets: it is
// written from the sched_process_exit tracepoint, not from a syscall.
const Procexit = "procexit"

// Filter bits of interesting_syscalls entries (c/helpers/base.h).
const (
	scInteresting   = 1 << 0
	scNeverDrop     = 1 << 1
	scCategoryShift = 4
	syscallTableLen = 512
)

// Supported returns the names with a program of their own, sorted: the
// syscalls whose events have a type of their own (execve, openat, ...) and
// Procexit. An interesting set may also hold any name of Generic.
func Supported() []string {
	out := []string{Procexit}
	for _, s := range bpf.Syscalls() {
		out = append(out, s.Name)
	}
	sort.Strings(out)
	return out
}

// Generic returns, sorted, the syscalls without an event type of their own
// that the kernel writes as generic events (PPME_GENERIC_X, carrying the
// syscall's PPM_SC code and x86_64 number) when they are in the
// interesting set: every x86_64 syscall but those of Supported (every
// x86_64 syscall the event table has a type for) and exit, exit_group
// and rt_sigreturn, whose exits the kernel never reports. Rules name them in evt.type (truncate, setfsuid,
// fchmodat2); the engine indexes those rules under the generic event
// types, so the names must reach SelectSyscalls from the rules themselves.
func Generic() []string {
	out := make([]string, 0, len(bpf.GenericSyscalls()))
	for _, s := range bpf.GenericSyscalls() {
		out = append(out, s.Name)
	}
	sort.Strings(out)
	return out
}

// IsSupported reports whether name may be in an interesting set: a name of
// Supported or of Generic.
func IsSupported(name string) bool {
	if name == Procexit {
		return true
	}
	if _, ok := bpf.SyscallByName(name); ok {
		return true
	}
	_, ok := bpf.GenericSyscallByName(name)
	return ok
}

// syscallFilter turns names into the kernel filter table.
func syscallFilter(names []string) (table []uint8, procexit bool, err error) {
	table = make([]uint8, syscallTableLen)
	var unknown []string
	for _, n := range names {
		if n == Procexit {
			procexit = true
			continue
		}
		if g, ok := bpf.GenericSyscallByName(n); ok {
			// Generic events keep no state: always samplable.
			table[g.Nr] = uint8(scInteresting) | uint8(bpf.DropOther)<<scCategoryShift
			continue
		}
		s, ok := bpf.SyscallByName(n)
		if !ok {
			unknown = append(unknown, n)
			continue
		}
		v := uint8(scInteresting) | uint8(s.Category)<<scCategoryShift
		if s.NeverDrop {
			v |= scNeverDrop
		}
		table[s.Nr] = v
	}
	if len(unknown) > 0 {
		return nil, false, fmt.Errorf("no kernel program for %s", strings.Join(unknown, ", "))
	}
	return table, procexit, nil
}

// SetSyscalls replaces the interesting set: names of Supported or Generic.
// Syscalls outside it return from the kernel hook after one map lookup.
// Other names are an error (nothing is changed).
func (p *Probe) SetSyscalls(names []string) error {
	table, procexit, err := syscallFilter(names)
	if err != nil {
		return err
	}
	return p.writeFilter(table, procexit)
}

func (p *Probe) writeFilter(table []uint8, procexit bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for nr, v := range table {
		if err := p.objs.InterestingSyscalls.Put(uint32(nr), v); err != nil {
			return fmt.Errorf("write syscall filter: %w", err)
		}
	}
	p.procexit = 0
	if procexit {
		p.procexit = 1
	}
	return p.writeSettings()
}

func (p *Probe) writeSettings() error {
	s := bpf.ProbeSettings{SamplingRatio: p.ratio, Procexit: p.procexit}
	if err := p.objs.SettingsMap.Put(uint32(0), &s); err != nil {
		return fmt.Errorf("write settings: %w", err)
	}
	return nil
}

// BaseSyscalls is Falco's base_syscalls configuration: which syscalls are
// traced besides those the rules name.
type BaseSyscalls struct {
	// CustomSet replaces the state-keeping base set with these names; a
	// name prefixed with "!" is removed from the final set instead.
	CustomSet []string
	// Repair adds the syscalls saker's state tracking needs for the rules'
	// and custom set's syscalls to be interpreted correctly.
	Repair bool
	// All traces every supported syscall.
	All bool
}

// Selection is the outcome of SelectSyscalls.
type Selection struct {
	// Names is the set to pass to Open or SetSyscalls, sorted.
	Names []string
	// Unsupported lists names that were asked for (by the rules or the
	// custom set) but have no kernel program, sorted. Rules on them will
	// never see live events.
	Unsupported []string
	// Ignored lists the names the rules asked for that are left out as
	// Falco leaves them out without -A (IgnoredIO), sorted. Rules on them
	// see live events only with All, or when custom_set names them.
	Ignored []string
}

// IgnoredIO returns the high-volume I/O event names Falco ignores unless
// base_syscalls.all (-A) is set, even when rules name them, sorted: its
// io_sc_set (events of the I/O read and write categories) minus the
// state-keeping set. recv and send have no x86_64 syscall of their own.
func IgnoredIO() []string { return slices.Clone(ignoredIO) }

var ignoredIO = []string{"pread", "preadv", "pwrite", "pwritev", "read", "readv", "recv", "send", "sendfile", "write", "writev"}

// syscallName returns the syscall whose program writes the event named
// name, for event names that are not syscall names ("pread" is written by
// pread64); other names are returned as they are.
func syscallName(name string) string {
	if _, ok := bpf.SyscallByName(name); ok {
		return name
	}
	for _, s := range bpf.Syscalls() {
		if s.EventName == name {
			return s.Name
		}
	}
	return name
}

// isIgnoredIO reports whether name (an event or a syscall name) is in
// IgnoredIO.
func isIgnoredIO(name string) bool {
	if slices.Contains(ignoredIO, name) {
		return true
	}
	s, ok := bpf.SyscallByName(name)
	return ok && slices.Contains(ignoredIO, s.EventName)
}

// SelectSyscalls computes the interesting set from the event types the
// loaded rules use (evt.type names, e.g. "openat", "procexit", and the
// syscalls rules name that have no event type of their own, e.g.
// "truncate": see Generic) and the base_syscalls configuration, with
// Falco's semantics. Event names select the syscall that writes them
// ("pread" selects pread64):
//
//   - default: rules ∪ the state-keeping set (every syscall whose event
//     modifies state: process lifecycle, fds, sockets, credentials, cwd —
//     EF_MODIFIES_STATE in the event table — plus procexit);
//   - custom_set: rules ∪ custom_set instead, minus "!name" entries;
//   - repair: rules ∪ custom_set ∪ the state they need (RepairSet);
//   - all: every supported syscall, generic ones included (as Falco's
//     all: every syscall).
//
// Without all, the rules' IgnoredIO names are left out (and listed in
// Ignored) unless custom_set names them too, as Falco ignores them.
// "!name" removals apply last, whatever the mode.
func SelectSyscalls(ruleEventTypes []string, base BaseSyscalls) Selection {
	supported := map[string]bool{}
	for _, n := range Supported() {
		supported[n] = true
	}
	for _, n := range Generic() {
		supported[n] = true
	}
	var unsupported, ignored []string
	want := map[string]bool{}
	add := func(n string) {
		n = syscallName(n)
		if supported[n] {
			want[n] = true
		} else if !slices.Contains(unsupported, n) {
			unsupported = append(unsupported, n)
		}
	}
	var positive, negative []string
	for _, n := range base.CustomSet {
		if strings.HasPrefix(n, "!") {
			negative = append(negative, strings.TrimPrefix(n, "!"))
		} else {
			positive = append(positive, n)
		}
	}
	for _, n := range ruleEventTypes {
		explicit := slices.ContainsFunc(positive, func(p string) bool { return syscallName(p) == syscallName(n) })
		if !base.All && isIgnoredIO(n) && !explicit {
			if !slices.Contains(ignored, n) {
				ignored = append(ignored, n)
			}
			continue
		}
		add(n)
	}
	for _, n := range positive {
		add(n)
	}
	switch {
	case base.All:
		for n := range supported {
			want[n] = true
		}
	case base.Repair:
		var in []string
		for n := range want {
			in = append(in, n)
		}
		for _, n := range RepairSet(in) {
			want[n] = true
		}
	case len(positive) == 0:
		for _, n := range StateSet() {
			want[n] = true
		}
	}
	for _, n := range negative {
		n = syscallName(n)
		if !supported[n] && !slices.Contains(unsupported, n) {
			unsupported = append(unsupported, n)
		}
		delete(want, n)
	}
	sel := Selection{Unsupported: unsupported, Ignored: ignored}
	for n := range want {
		sel.Names = append(sel.Names, n)
	}
	sort.Strings(sel.Names)
	sort.Strings(sel.Unsupported)
	sort.Strings(sel.Ignored)
	return sel
}

// SelectSyscallsForTypes is SelectSyscalls for a set of event types (the
// rules' event-type index) plus the generic syscalls the rules name: each
// type stands for its name, so every version and direction of an event
// selects the same syscall. The generic event types (GenericE/GenericX)
// stand for no syscall in particular and select nothing by themselves:
// which syscalls a rule on them wants is in genericNames (the names its
// evt.type checks gave that have no event type of their own).
func SelectSyscallsForTypes(types []event.Type, genericNames []string, base BaseSyscalls) Selection {
	names := make([]string, 0, len(types)+len(genericNames))
	for _, t := range types {
		if t == event.GenericE || t == event.GenericX {
			continue
		}
		if n := t.Name(); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, n := range genericNames {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return SelectSyscalls(names, base)
}

// StateSet is the state-keeping set: the supported syscalls whose event
// modifies state (EF_MODIFIES_STATE) and procexit, sorted.
func StateSet() []string {
	out := []string{Procexit}
	for _, s := range bpf.Syscalls() {
		if s.ModifiesState {
			out = append(out, s.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Groups of syscalls that state tracking interprets together.
var (
	repairProcess = []string{"clone", "clone3", "fork", "vfork", "execve", "execveat", Procexit,
		"chdir", "fchdir", "chroot", "setuid", "setgid", "setresuid", "setresgid", "setreuid", "setregid",
		"capset", "prctl", "setsid"}
	repairFD = []string{"open", "openat", "openat2", "open_by_handle_at", "creat", "close", "dup", "dup2",
		"dup3", "fcntl", "pipe", "pipe2", "memfd_create", "socket", "socketpair", "accept", "accept4",
		"pidfd_open", "pidfd_getfd", "eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create",
		"inotify_init", "inotify_init1", "epoll_create", "epoll_create1", "close_range"}
	repairNet = []string{"socket", "socketpair", "connect", "accept", "accept4", "bind", "close"}
	netNames  = []string{"socket", "socketpair", "connect", "accept", "accept4", "bind", "listen",
		"sendto", "sendmsg", "recvfrom", "recvmsg", "sendmmsg", "recvmmsg"}
)

// RepairSet returns names plus the syscalls needed to interpret them: the
// process lifecycle always (threads, their credentials and cwd); when any
// name uses file descriptors, the calls that create, duplicate and close
// them; when any is a socket call, the calls that create and connect
// sockets. Sorted, names included.
func RepairSet(names []string) []string {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	for _, n := range repairProcess {
		set[n] = true
	}
	usesFD, net := false, false
	for _, n := range names {
		if s, ok := bpf.SyscallByName(n); ok && s.UsesFD {
			usesFD = true
		}
		if slices.Contains(netNames, n) {
			net = true
		}
	}
	if usesFD {
		for _, n := range repairFD {
			set[n] = true
		}
	}
	if net {
		for _, n := range repairNet {
			set[n] = true
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
