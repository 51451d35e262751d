package scap

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// TestConvertTraces converts every event of every trace and checks that
// converted exit events are of the newest version with all its parameters,
// that every non-empty parameter of the original exit (and of its enter
// event, when the exit lacks it) is carried by name, and that originals
// are left untouched.
func TestConvertTraces(t *testing.T) {
	for _, path := range traceFiles(t) {
		name, _ := filepath.Rel(tracesDir(t), path)
		t.Run(name, func(t *testing.T) {
			_, evs, err := readAll(t, path)
			if err != nil {
				t.Fatal(err)
			}
			c := NewConverter()
			ref := newReferenceConverter()
			converted := 0
			var lastEnter map[int64][]byte = map[int64][]byte{}
			for _, d := range evs {
				var e event.Event
				if err := e.Reset(d.raw, d.cpu); err != nil {
					t.Fatal(err)
				}
				orig := bytes.Clone(d.raw)
				out := c.Convert(&e)
				if !bytes.Equal(e.Raw(), orig) {
					t.Fatal("Convert modified its input")
				}
				if want := ref.convert(&e); !bytes.Equal(out.Raw(), want.Raw()) || (out == &e) != (want == &e) || out.Num != want.Num || out.CPU != want.CPU {
					t.Fatalf("event %d (%v): Convert gives %x, the by-name reference %x", e.Num, e.Type(), out.Raw(), want.Raw())
				}
				if e.Dir() == event.Enter {
					if out != &e {
						t.Fatalf("enter event %v not passed through", e.Type())
					}
					lastEnter[e.Tid()] = orig
					continue
				}
				if out == &e {
					continue
				}
				converted++
				if out.Type() != newestExit[e.Type()] || out.NumParams() != len(out.Info().Params) || out.Num != e.Num {
					t.Fatalf("%v -> %v with %d params", e.Type(), out.Type(), out.NumParams())
				}
				for i, pi := range e.Info().Params {
					if !e.Has(i) || fitsOther(e.Info().Params[i].Type, out, pi.Name) {
						continue
					}
					if got := paramByName(out, pi.Name); !bytes.Equal(got, e.Param(i)) {
						t.Fatalf("%v -> %v: param %s = %x, want %x", e.Type(), out.Type(), pi.Name, got, e.Param(i))
					}
				}
			}
			t.Logf("%d exit events converted", converted)
		})
	}
}

// fitsOther reports whether the parameter changed width between versions
// (converted, so not byte-equal).
func fitsOther(old event.ParamType, out *event.Event, name string) bool {
	for _, p := range out.Info().Params {
		if p.Name == name {
			return p.Type.FixedSize() != old.FixedSize()
		}
	}
	return false
}

func TestConvertMergesEnter(t *testing.T) {
	var b event.Builder
	b.Begin(event.SyscallOpenE, 1, 7)
	b.String("/etc/passwd")
	b.Uint32(1)
	b.Uint32(0o644)
	enterRaw := bytes.Clone(b.Finish())
	b.Begin(event.SyscallOpenX, 2, 7)
	b.Int64(3) // fd only: the old layout
	exitRaw := bytes.Clone(b.Finish())
	c := NewConverter()
	var en, ex event.Event
	_ = en.Reset(enterRaw, 0)
	_ = ex.Reset(exitRaw, 0)
	if c.Convert(&en) != &en {
		t.Fatal("enter not passed through")
	}
	out := c.Convert(&ex)
	if out.Type() != event.SyscallOpenX || out.NumParams() != 6 {
		t.Fatalf("converted %v with %d params", out.Type(), out.NumParams())
	}
	if s, _ := out.String(1); s != "/etc/passwd" {
		t.Errorf("name = %q", s)
	}
	if v, _ := out.Uint(3); v != 0o644 {
		t.Errorf("mode = %o", v)
	}
	if out.Has(4) || out.Has(5) {
		t.Error("dev/ino should be empty")
	}
	if allocs := testing.AllocsPerRun(100, func() {
		c.Convert(&en)
		c.Convert(&ex)
	}); allocs != 0 {
		t.Errorf("Convert allocates %v per pair", allocs)
	}
}

// referenceConverter is the straightforward converter Convert's
// precomputed plans must agree with: parameters matched by name per
// event, assembled with event.Builder.
type referenceConverter struct {
	enters map[int64][]byte
	b      event.Builder
	out    event.Event
	ctx    [event.MaxParams][]byte
}

func newReferenceConverter() *referenceConverter {
	return &referenceConverter{enters: map[int64][]byte{}}
}

func (c *referenceConverter) convert(e *event.Event) *event.Event {
	info := e.Info()
	if info.Flags&event.FlagConverterManaged == 0 {
		return e
	}
	tid := e.Tid()
	if info.Dir == event.Enter {
		c.enters[tid] = bytes.Clone(e.Raw())
		return e
	}
	var enter event.Event
	if p := c.enters[tid]; len(p) > 0 {
		if enter.Reset(p, e.CPU) != nil || enter.Type()+1 != e.Type() {
			enter = event.Event{}
		}
		c.enters[tid] = nil
	}
	target := newestExit[e.Type()]
	tinfo := target.Info()
	if target == e.Type() && enter.Raw() == nil && e.NumParams() >= len(tinfo.Params) {
		return e
	}
	c.b.Begin(target, e.Timestamp(), tid)
	for i := range tinfo.Params {
		pi := &tinfo.Params[i]
		src := paramByName(e, pi.Name)
		if src == nil && enter.Raw() != nil {
			src = paramByName(&enter, pi.Name)
		}
		c.b.Bytes(fitWidth(src, pi.Type, &c.ctx[i]))
	}
	if c.out.Reset(c.b.Finish(), e.CPU) != nil {
		return e
	}
	c.out.Num = e.Num
	return &c.out
}

// fitWidth converts an integer parameter to the width of the target type,
// the by-type form of fitTo.
func fitWidth(p []byte, t event.ParamType, scratch *[]byte) []byte {
	want := t.FixedSize()
	if want == 0 || want == 16 || len(p) == want || len(p) == 0 || len(p) > 8 {
		return p
	}
	var v uint64
	switch len(p) {
	case 1:
		v = uint64(p[0])
	case 2:
		v = uint64(binary.LittleEndian.Uint16(p))
	case 4:
		v = uint64(binary.LittleEndian.Uint32(p))
		if t.Signed() {
			v = uint64(int64(int32(v)))
		}
	case 8:
		v = binary.LittleEndian.Uint64(p)
	default:
		return nil
	}
	s := binary.LittleEndian.AppendUint64((*scratch)[:0], v)
	*scratch = s
	return s[:want]
}
