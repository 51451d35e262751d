package ebpf

import (
	"reflect"
	"testing"

	"github.com/cilium/ebpf"
)

// Every program of the object passes the verifier on this kernel: load
// assigns them all (the tail-call table references each syscall program).
func TestEveryProgramLoads(t *testing.T) {
	p := loadDetached(t, Config{})
	v := reflect.ValueOf(p.objs.ProbePrograms)
	for i := 0; i < v.NumField(); i++ {
		prog, _ := v.Field(i).Interface().(*ebpf.Program)
		name := v.Type().Field(i).Tag.Get("ebpf")
		if prog == nil {
			t.Errorf("program %s not loaded", name)
			continue
		}
		if info, err := prog.Info(); err == nil {
			if n, ok := info.VerifiedInstructions(); ok {
				t.Logf("%-20s %6d instructions verified", name, n)
			}
		}
	}
	if v.NumField() < len(Supported())+2 {
		t.Errorf("%d programs for %d supported names", v.NumField(), len(Supported()))
	}
}
