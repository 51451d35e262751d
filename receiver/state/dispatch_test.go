package state

import (
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// Every event name the dispatcher knows must exist in the event table
// (a typo would silently leave a syscall untracked).
func TestDispatchNamesExist(t *testing.T) {
	check := func(name string, dir event.Dir) {
		for _, typ := range event.TypesByName(name) {
			if typ.Info().Dir == dir && typ.Info().Flags&event.FlagUnused == 0 {
				return
			}
		}
		t.Errorf("no %v event named %q", dir, name)
	}
	for n := range exitKinds {
		check(n, event.Exit)
	}
	for n := range newFDKinds {
		check(n, event.Exit)
	}
	for n := range enterKinds {
		check(n, event.Enter)
	}
	// every state-modifying exit event with an fd or process effect is handled
	for typ := event.Type(0); typ < event.MaxType; typ++ {
		info := typ.Info()
		if info.Dir == event.Exit && info.Flags&event.FlagCreatesFd != 0 && info.Flags&event.FlagUnused == 0 && kinds[typ] == kNone {
			t.Errorf("%v creates an fd but is not handled", typ)
		}
	}
	// every parameter key names a parameter of some event
	for k, n := range pkeyNames {
		found := false
		for typ := event.Type(0); typ < event.MaxType && !found; typ++ {
			found = paramIdx[typ][k] >= 0
		}
		if !found {
			t.Errorf("parameter key %q matches no event", n)
		}
	}
}

// TestTypeFlags guards the init order: typeFlags is derived from kinds,
// so it must be computed after kinds is filled.
func TestTypeFlags(t *testing.T) {
	for typ := event.Type(0); typ+1 < event.MaxType; typ++ {
		f := typeFlags[typ]
		info := typ.Info()
		want := info.Dir == event.Enter && info.Category&event.CatSyscall != 0 && len(info.Params) > 0 && kinds[typ+1] != kNone
		if (f&tfEnterUsed != 0) != want {
			t.Errorf("%v: tfEnterUsed = %v, want %v", typ, f&tfEnterUsed != 0, want)
		}
	}
	if typeFlags[event.SocketSocketE]&tfEnterUsed == 0 || typeFlags[event.SyscallReadE]&tfEnterUsed != 0 {
		t.Error("socket's enter event must be kept for its exit, read's need not be")
	}
}
