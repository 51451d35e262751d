package sampling

import (
	"testing"

	"github.com/sakersec/saker/bpf"
	"github.com/sakersec/saker/receiver/event"
)

// The kernel's never-drop flags (generated into bpf from the same event
// table) and the engine's state set must agree, or the kernel would drop
// events the engine counts on to keep state. A test-only import: engine
// code does not depend on bpf.
func TestNeverDropMatchesKernel(t *testing.T) {
	n := 0
	for _, s := range bpf.Syscalls() {
		typ := event.Type(s.Event)
		if KeepsState(typ) != s.NeverDrop {
			t.Errorf("%s (%s): engine KeepsState %v, kernel NeverDrop %v", s.Name, s.EventCode, KeepsState(typ), s.NeverDrop)
		}
		if !s.NeverDrop && !Droppable(typ) {
			t.Errorf("%s: the kernel may sample it but the engine never would", s.Name)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d kernel syscalls", n)
	}
}
