package event_test

import (
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// execve's flags parameter names every bit the kernel side sets (libs'
// PPM_EXE_*); EXE_FROM_MEMFD was rendered as nothing. Found by the live
// tests (internal/livetest).
func TestExecveFlagNames(t *testing.T) {
	cases := []struct {
		v    uint64
		want string
	}{
		{1, "EXE_WRITABLE"},
		{4, "EXE_FROM_MEMFD"},
		{1 | 4, "EXE_WRITABLE|EXE_FROM_MEMFD"},
		{2 | 8, "EXE_UPPER_LAYER|EXE_LOWER_LAYER"},
	}
	for _, c := range cases {
		if got := string(event.FlagNames("execve_flags", c.v, nil)); got != c.want {
			t.Errorf("execve_flags %#x: %q, want %q", c.v, got, c.want)
		}
	}
	if bits := event.FlagNewerThanSysdig029Bits("execve_flags"); bits != 2|4|8 {
		t.Errorf("bits newer than sysdig 0.29: %#x", bits)
	}
}
