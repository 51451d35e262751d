package ebpf

import (
	"slices"
	"strings"
	"testing"

	"github.com/sakersec/saker/bpf"
	"github.com/sakersec/saker/receiver/event"
)

// IgnoredIO is Falco's io_sc_set minus its state set, as the event table
// gives them: the names of the I/O read and write events that do not
// modify state.
func TestIgnoredIOMatchesTable(t *testing.T) {
	want := map[string]bool{}
	for typ := event.Type(0); typ < event.MaxType; typ++ {
		info := typ.Info()
		if info == nil {
			continue
		}
		// The low byte is the category proper (an enum); higher bits
		// say where the event comes from (syscall, tracepoint, ...).
		if c := info.Category & 0xff; c != event.CatIoRead && c != event.CatIoWrite {
			continue
		}
		want[info.Name] = true
	}
	for typ := event.Type(0); typ < event.MaxType; typ++ {
		if info := typ.Info(); info != nil && info.Flags&event.FlagModifiesState != 0 {
			delete(want, info.Name)
		}
	}
	var names []string
	for n := range want {
		names = append(names, n)
	}
	slices.Sort(names)
	eq(t, "ignored I/O", strings.Join(IgnoredIO(), ","), strings.Join(names, ","))
	eq(t, "Falco's list", strings.Join(IgnoredIO(), ","), "pread,preadv,pwrite,pwritev,read,readv,recv,send,sendfile,write,writev")
}

// Rules naming the ignored I/O events select nothing for them unless all
// is set or custom_set names them, and the selection reports them; event
// names select the syscall that writes them.
func TestSelectIgnoredIO(t *testing.T) {
	rules := []string{"read", "pread", "sendfile", "openat", "splice", "sendmmsg"}

	sel := SelectSyscalls(rules, BaseSyscalls{})
	for _, n := range []string{"read", "pread64", "sendfile"} {
		if slices.Contains(sel.Names, n) {
			t.Errorf("default selection has the ignored %s: %v", n, sel.Names)
		}
	}
	for _, n := range []string{"openat", "splice", "sendmmsg"} {
		if !slices.Contains(sel.Names, n) {
			t.Errorf("default selection lacks %s, which Falco does not ignore", n)
		}
	}
	eq(t, "ignored", strings.Join(sel.Ignored, ","), "pread,read,sendfile")
	eq(t, "unsupported", len(sel.Unsupported), 0)

	// recv and send have no x86_64 syscall: ignored by default, without a
	// program under -A.
	sel = SelectSyscalls([]string{"recv", "write"}, BaseSyscalls{CustomSet: []string{"openat"}})
	eq(t, "custom_set mode", strings.Join(sel.Names, ","), "openat")
	eq(t, "ignored recv", strings.Join(sel.Ignored, ","), "recv,write")
	sel = SelectSyscalls([]string{"recv"}, BaseSyscalls{All: true})
	eq(t, "recv under all", strings.Join(sel.Unsupported, ","), "recv")

	// -A: every one selected, nothing reported as ignored.
	sel = SelectSyscalls(rules, BaseSyscalls{All: true})
	for _, n := range []string{"read", "pread64", "sendfile", "write", "writev", "preadv", "pwrite64", "pwritev", "readv"} {
		if !slices.Contains(sel.Names, n) {
			t.Errorf("all lacks %s", n)
		}
	}
	eq(t, "ignored under all", len(sel.Ignored), 0)

	// custom_set naming them keeps them, by event or syscall name.
	sel = SelectSyscalls(rules, BaseSyscalls{CustomSet: []string{"read", "pread64"}})
	eq(t, "custom_set keeps", strings.Join(sel.Names, ","), "openat,pread64,read,sendmmsg,splice")
	eq(t, "custom_set ignored", strings.Join(sel.Ignored, ","), "sendfile")
	sel = SelectSyscalls(nil, BaseSyscalls{CustomSet: []string{"pread", "writev"}})
	eq(t, "custom_set by event name", strings.Join(sel.Names, ","), "pread64,writev")
	// repair keeps the ignored names out, but not what custom_set names.
	sel = SelectSyscalls([]string{"write", "connect"}, BaseSyscalls{Repair: true, CustomSet: []string{"read"}})
	if slices.Contains(sel.Names, "write") || !slices.Contains(sel.Names, "read") || !slices.Contains(sel.Names, "dup2") {
		t.Errorf("repair: want read and the fd calls, not write: %v", sel.Names)
	}

	// evt.type=pread (both directions) selects pread64 under all.
	sel = SelectSyscallsForTypes([]event.Type{event.SyscallPreadE, event.SyscallPreadX}, nil, BaseSyscalls{All: true, CustomSet: []string{"!write"}})
	if !slices.Contains(sel.Names, "pread64") || slices.Contains(sel.Names, "write") {
		t.Errorf("types pread under all: %v", sel.Names)
	}
	sel = SelectSyscallsForTypes([]event.Type{event.SyscallPreadX}, nil, BaseSyscalls{CustomSet: []string{"pread64"}})
	eq(t, "types pread with custom_set", strings.Join(sel.Names, ","), "pread64")

	// Kernel sampling may drop every new I/O call.
	for _, n := range []string{"read", "write", "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev",
		"sendfile", "splice", "copy_file_range", "sendmmsg", "recvmmsg"} {
		s, ok := bpf.SyscallByName(n)
		if !ok || s.NeverDrop {
			t.Errorf("%s: program %v, never dropped %v", n, ok, s.NeverDrop)
		}
	}
}
