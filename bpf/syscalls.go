package bpf

//go:generate go run ./internal/gen -in ../../shared/research/falco/scap_event_table.json -c c/events_gen.h -go syscalls_gen.go
//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -target amd64 -cc clang-14 -cflags "-O2 -g -mcpu=v3 -Wall -Werror" Probe c/saker.bpf.c -- -I./c

// Syscall describes one syscall that has a kernel program.
type Syscall struct {
	Nr        uint16 // x86_64 syscall number
	Name      string // syscall name, e.g. "openat"
	Event     uint16 // exit event type written (scap event id)
	EventCode string // libs code of that event, e.g. "PPME_SYSCALL_OPENAT_2_X"
	EventName string // the event's name (evt.type), e.g. "openat"
	Category  DropCategory
	// ModifiesState is the table's EF_MODIFIES_STATE for the event: the
	// syscall is in the state-keeping set.
	ModifiesState bool
	// NeverDrop: kernel sampling never drops it (state-keeping, minus the
	// high-volume socket I/O calls).
	NeverDrop bool
	// UsesFD: the event creates, uses or destroys a file descriptor.
	UsesFD bool
}

// DropCategory groups events for the per-category ring-full and sampling
// counters, after Falco's n_drops_buffer_<category>_exit counters.
type DropCategory uint8

// Drop categories, in the order of the kernel counter arrays.
const (
	DropCloneFork DropCategory = iota
	DropExecve
	DropConnect
	DropOpen
	DropDirFile
	DropOtherInterest
	DropClose
	DropProc
	DropOther // events of no named category
	NumDropCategories
)

var categoryNames = [NumDropCategories]string{
	"clone_fork", "execve", "connect", "open", "dir_file", "other_interest", "close", "proc", "other",
}

// String returns the category's name as in Falco's counter names ("clone_fork").
func (c DropCategory) String() string {
	if c < NumDropCategories {
		return categoryNames[c]
	}
	return "unknown"
}

// Syscalls returns every syscall with a kernel program. The slice is shared;
// do not modify it.
func Syscalls() []Syscall { return syscallTable[:] }

// SyscallByName returns the syscall named name, if it has a program.
func SyscallByName(name string) (Syscall, bool) {
	for _, s := range syscallTable {
		if s.Name == name {
			return s, true
		}
	}
	return Syscall{}, false
}

// Event types written by programs that are not syscall exits.
const (
	EventProcexit = eventProcexit1E // PPME_PROCEXIT_1_E, from sched_process_exit
	EventDropE    = eventDropE      // PPME_DROP_E: a kernel sampling window opens
	EventDropX    = eventDropX      // PPME_DROP_X: it closes
)

// GenericSyscall is a syscall without an event type of its own: the
// generic program writes PPME_GENERIC_X for it, with its PPM_SC code (ID)
// and its x86_64 number (nativeID).
type GenericSyscall struct {
	Nr   uint16 // x86_64 syscall number (the nativeID parameter)
	Name string // kernel name
	// PPMSC is the syscall's PPM_SC code (the ID parameter) in the
	// numbering of engine/fields' table (libs as sysdig 0.29 ships it), 0
	// (PPM_SC_UNKNOWN) for a syscall that table lacks.
	PPMSC uint16
}

// GenericSyscalls returns every syscall written as a generic event, by
// number. The slice is shared; do not modify it.
func GenericSyscalls() []GenericSyscall { return genericTable[:] }

// GenericSyscallByName returns the generic syscall named name.
func GenericSyscallByName(name string) (GenericSyscall, bool) {
	for _, s := range genericTable {
		if s.Name == name {
			return s, true
		}
	}
	return GenericSyscall{}, false
}

// EventGenericX is PPME_GENERIC_X, the event of every GenericSyscall.
const EventGenericX = eventGenericX
