package ebpf

import (
	"bytes"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// PPM flag values the tests expect (the values documented in bpf/doc.go).
const (
	pO_RDONLY    = 1 << 0
	pO_WRONLY    = 1 << 1
	pO_RDWR      = 3
	pO_CREAT     = 1 << 2
	pO_EXCL      = 1 << 5
	pO_NONBLOCK  = 1 << 6
	pO_TRUNC     = 1 << 8
	pO_CLOEXEC   = 1 << 12
	pO_F_CREATED = 1 << 14

	pFD_UPPER_LAYER = 1 << 15
	pFD_LOWER_LAYER = 1 << 16

	pCL_FILES          = 1 << 0
	pCL_FS             = 1 << 1
	pCL_NEWIPC         = 1 << 3
	pCL_NEWNET         = 1 << 4
	pCL_NEWNS          = 1 << 5
	pCL_NEWUTS         = 1 << 7
	pCL_SIGHAND        = 1 << 11
	pCL_THREAD         = 1 << 13
	pCL_VM             = 1 << 15
	pCL_CHILD_CLEARTID = 1 << 23
	pCL_CHILD_SETTID   = 1 << 24
	pCL_VFORK          = 1 << 27
	pCL_SYSVSEM        = 1 << 12

	pEXE_WRITABLE    = 1 << 0
	pEXE_UPPER_LAYER = 1 << 1
	pEXE_FROM_MEMFD  = 1 << 2
	pEXE_LOWER_LAYER = 1 << 3
)

func paramIndex(t testing.TB, ev *event.Event, name string) int {
	t.Helper()
	i := ev.ParamIndex(name)
	if i < 0 {
		t.Fatalf("%s has no parameter %q", ev.Type(), name)
	}
	if ev.NumParams() != len(ev.Info().Params) {
		t.Fatalf("%s carries %d parameters, the table lists %d", ev.Type(), ev.NumParams(), len(ev.Info().Params))
	}
	return i
}

// pint returns a present integer parameter, sign-extended.
func pint(t testing.TB, ev *event.Event, name string) int64 {
	t.Helper()
	v, ok := ev.Int(paramIndex(t, ev, name))
	if !ok {
		t.Fatalf("%s: parameter %q is absent", ev.Type(), name)
	}
	return v
}

// puint returns a present integer parameter, unsigned.
func puint(t testing.TB, ev *event.Event, name string) uint64 {
	t.Helper()
	v, ok := ev.Uint(paramIndex(t, ev, name))
	if !ok {
		t.Fatalf("%s: parameter %q is absent", ev.Type(), name)
	}
	return v
}

// pstr returns a string parameter ("" when absent).
func pstr(t testing.TB, ev *event.Event, name string) string {
	t.Helper()
	s, _ := ev.String(paramIndex(t, ev, name))
	return s
}

// pbytes returns a byte-buffer parameter.
func pbytes(t testing.TB, ev *event.Event, name string) []byte {
	t.Helper()
	b, _ := ev.Bytes(paramIndex(t, ev, name))
	return b
}

// plist returns a NUL-separated list parameter.
func plist(t testing.TB, ev *event.Event, name string) []string {
	t.Helper()
	var out []string
	for l := ev.Strings(paramIndex(t, ev, name)); ; {
		s, ok := l.Next()
		if !ok {
			return out
		}
		out = append(out, s)
	}
}

// pempty asserts a parameter is present with zero length.
func pempty(t testing.TB, ev *event.Event, name string) {
	t.Helper()
	if ev.Has(paramIndex(t, ev, name)) {
		t.Errorf("%s: parameter %q should be empty", ev.Type(), name)
	}
}

func byStr(t testing.TB, name, want string) func(*event.Event) bool {
	return func(ev *event.Event) bool { return pstr(t, ev, name) == want }
}

func byInt(t testing.TB, name string, want int64) func(*event.Event) bool {
	return func(ev *event.Event) bool { return pint(t, ev, name) == want }
}

func eq[T comparable](t testing.TB, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func eqBytes(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}
