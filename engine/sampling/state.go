package sampling

import (
	"slices"

	"github.com/sakersec/saker/receiver/event"
)

// dataTransfer are the syscalls the event table flags EF_MODIFIES_STATE
// that sampling may nevertheless drop: see the package doc.
var dataTransfer = []string{"sendto", "sendmsg", "sendmmsg", "recvfrom", "recvmsg", "recvmmsg"}

// keepsState[t] and droppable[t] are computed once from the event table.
var (
	keepsState [event.MaxType]bool
	droppable  [event.MaxType]bool
)

func init() {
	for t := event.Type(0); int(t) < event.MaxType; t++ {
		info := t.Info()
		keeps := info.Flags&event.FlagModifiesState != 0 && !slices.Contains(dataTransfer, info.Name)
		keepsState[t] = keeps
		droppable[t] = !keeps && info.Category&event.CatSyscall != 0
	}
}

// KeepsState reports whether events of type t update saker's process, fd or
// user state, and so are never sampled away, in the engine or the kernel.
func KeepsState(t event.Type) bool { return int(t) < event.MaxType && keepsState[t] }

// Droppable reports whether sampling may drop events of type t: syscall
// events that do not keep state. Unknown types are never dropped.
func Droppable(t event.Type) bool { return int(t) < event.MaxType && droppable[t] }

// NeverDropSyscalls returns, sorted, the names of the syscalls whose events
// keep state: the set the kernel's time-window sampling must always pass.
func NeverDropSyscalls() []string {
	var names []string
	for t := event.Type(0); int(t) < event.MaxType; t++ {
		info := t.Info()
		if keepsState[t] && info.Category&event.CatSyscall != 0 && event.IsSyscallName(info.Name) {
			names = append(names, info.Name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
