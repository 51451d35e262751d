package fields_test

import (
	"testing"
	"time"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
)

// extractAll binds each written field once and renders it on each event
// in turn (fields that keep state between events, like evt.deltatime,
// see the sequence).
func extractAll(t *testing.T, evs []ev, written ...string) [][]string {
	t.Helper()
	st := testState(t)
	ctx := &fields.Ctx{State: st, Loc: time.UTC}
	bs := make([]*fields.Bound, len(written))
	for i, w := range written {
		name, arg := w, fields.Arg{}
		if j := len(w) - 1; j > 0 && w[j] == ']' {
			k := 0
			for w[k] != '[' {
				k++
			}
			name, arg = w[:k], fields.Arg{Set: true, Text: w[k+1 : j]}
		}
		b, err := fields.Default.Bind(name, arg)
		if err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		bs[i] = b
	}
	var out [][]string
	for n, x := range evs {
		var b event.Builder
		b.Begin(x.t, ts0+uint64(n)*1_500_000_123, x.tid)
		if x.params != nil {
			x.params(&b)
		}
		e, err := event.Parse(append([]byte(nil), b.Finish()...), 0)
		if err != nil {
			t.Fatal(err)
		}
		st.Update(e)
		ctx.Reset(e)
		row := make([]string, len(bs))
		for i, b := range bs {
			var v fields.Value
			row[i] = "<NA>"
			if b.Extract(ctx, &v) {
				row[i] = string(b.AppendText(nil, &v))
			}
		}
		out = append(out, row)
	}
	return out
}

func TestEvtTimeFields(t *testing.T) {
	evs := []ev{read(300, 3), readX(3, 3), read(300, 3)}
	got := extractAll(t, evs, "evt.outputtime", "evt.time", "evt.deltatime", "evt.deltatime.s", "evt.deltatime.ns", "evt.rawtime.ns", "evt.reltime", "evt.reltime.ns")
	want := [][]string{
		{"22:13:20.000000000", "22:13:20.000000000", "0", "0", "000000000", "000000000", "000000000", "000000000"},
		{"22:13:21.500000123", "22:13:21.500000123", "1500000123", "1", "500000123", "500000123", "1500000123", "500000123"},
		{"22:13:23.000000246", "22:13:23.000000246", "1500000123", "1", "500000123", "000000246", "3000000246", "000000246"},
	}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("event %d field %d: %q, want %q", i, j, got[i][j], want[i][j])
			}
		}
	}
	// evt.outputtime is for outputs only.
	b, _ := fields.Default.Bind("evt.outputtime", fields.Arg{})
	if b.Field.Flags&fields.PrintOnly == 0 {
		t.Error("evt.outputtime usable in conditions")
	}
	// Two occurrences of evt.deltatime keep their own previous event.
	d1, _ := fields.Default.Bind("evt.deltatime", fields.Arg{})
	d2, _ := fields.Default.Bind("evt.deltatime", fields.Arg{})
	ctx := &fields.Ctx{}
	var v fields.Value
	for i, e := range []ev{read(300, 3), read(300, 3), read(300, 3)} {
		var bld event.Builder
		bld.Begin(e.t, ts0+uint64(i)*1000, e.tid)
		e.params(&bld)
		ev, _ := event.Parse(append([]byte(nil), bld.Finish()...), 0)
		ctx.Reset(ev)
		d1.Extract(ctx, &v)
		if i == 2 {
			if v.U != 1000 {
				t.Errorf("first occurrence: %d, want 1000", v.U)
			}
			d2.Extract(ctx, &v)
			if v.U != 0 {
				t.Errorf("second occurrence, first read: %d, want 0", v.U)
			}
		}
	}
}

func TestEvtCountFields(t *testing.T) {
	failedOpen := ev{event.SyscallOpenatV2X, 300, func(b *event.Builder) {
		b.Int64(-2)
		b.Int64(-100)
		b.String("/nope")
		b.Uint32(1)
		b.Uint32(0)
		b.Uint32(0)
		b.Uint64(0)
	}}
	failedRead := func(fd int64) ev { return readX(fd, -11) }
	failedMmap := ev{event.SyscallMmapX, 300, func(b *event.Builder) {
		b.Int64(-12)
		for i := 0; i < 3; i++ {
			b.Uint32(0)
		}
		b.Uint64(0)
		b.Uint64(4096)
		b.Uint32(3)
		b.Uint32(0x22)
		b.Int64(-1)
		b.Uint64(0)
	}}
	failedSetuid := ev{event.SyscallSetuidX, 300, func(b *event.Builder) { b.Int64(-1); b.Uint32(0) }}
	evs := []ev{read(300, 3), readX(3, 3), failedOpen, failedRead(3), failedRead(4), failedRead(99), failedMmap, failedSetuid, {event.ProcinfoE, 300, func(b *event.Builder) { b.Uint64(1); b.Uint64(2) }},
		{event.ProcinfoE, 301, func(b *event.Builder) { b.Uint64(1); b.Uint64(2) }}}
	got := extractAll(t, evs, "evt.count", "evt.count.exit", "evt.count.error", "evt.count.error.file", "evt.count.error.net",
		"evt.count.error.memory", "evt.count.error.other", "evt.count.procinfo", "evt.count.threadinfo")
	const na = "<NA>"
	want := [][]string{
		{"1", na, na, na, na, na, na, na, na},    // read enter
		{"1", "1", na, na, na, na, na, na, na},   // read exit, success
		{"1", "1", "1", "1", na, na, na, na, na}, // failed openat: file by its type
		{"1", "1", "1", "1", na, na, na, na, na}, // failed read on a file
		{"1", "1", "1", na, "1", na, na, na, na}, // failed read on a socket
		{"1", "1", "1", na, na, na, "1", na, na}, // failed read on an unknown fd
		{"1", "1", "1", na, na, "1", na, na, na}, // failed mmap: memory
		{"1", "1", "1", na, na, na, "1", na, na}, // failed setuid: other
		{"1", na, na, na, na, na, na, "1", "1"},  // procinfo of a main thread
		{"1", na, na, na, na, na, na, na, "1"},   // procinfo of another thread
	}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("event %d (%v) field %d: %q, want %q", i, evs[i].t, j, got[i][j], want[i][j])
			}
		}
	}
}

func TestEvtAbspath(t *testing.T) {
	renameat := func(olddir int64, oldp string, newdir int64, newp string) ev {
		return ev{event.SyscallRenameatX, 300, func(b *event.Builder) {
			b.Int64(0)
			b.Int64(olddir)
			b.String(oldp)
			b.Int64(newdir)
			b.String(newp)
		}}
	}
	mkdirat := func(dirfd int64, p string) ev {
		return ev{event.SyscallMkdiratX, 300, func(b *event.Builder) { b.Int64(0); b.Int64(dirfd); b.String(p); b.Uint32(0o755) }}
	}
	evs := []ev{
		renameat(-100, "a/../b", 6, "c"),
		renameat(42, "x", -100, "/tmp//y/"),
		mkdirat(6, "d"),
		read(300, 3),
	}
	got := extractAll(t, evs, "evt.abspath[src]", "evt.abspath[dst]")
	want := [][]string{
		{"/home/alice/b", "/home/alice/c"},
		{"<UNKNOWN>/x", "/tmp/y"},
		{"/home/alice/d", "/home/alice/d"},
		{"<NA>", "<NA>"},
	}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("event %d field %d: %q, want %q", i, j, got[i][j], want[i][j])
			}
		}
	}
	if _, err := fields.Default.Bind("evt.abspath", fields.Arg{Set: true, Text: "both"}); err == nil {
		t.Error("evt.abspath[both] bound")
	}
	if _, _, ok := fields.Default.Lookup("evt.abspath.dst", fields.Arg{}); !ok {
		t.Error("evt.abspath.dst unknown")
	}
}

func TestEvtAsynctype(t *testing.T) {
	async := ev{event.AsynceventE, 300, func(b *event.Builder) { b.Uint32(0); b.String("container"); b.Bytes([]byte("{}")) }}
	got := extractAll(t, []ev{async, read(300, 3)}, "evt.asynctype", "evt.is_async")
	if got[0][0] != "container" || got[0][1] != "true" || got[1][0] != "<NA>" || got[1][1] != "false" {
		t.Errorf("evt.asynctype, evt.is_async: %v", got)
	}
}

// The fields added here extract without allocating once warm.
func TestEvtMoreNoAllocation(t *testing.T) {
	st := testState(t)
	e := build(t, ev{event.SyscallRenameatX, 300, func(b *event.Builder) {
		b.Int64(-2)
		b.Int64(-100)
		b.String("a/b")
		b.Int64(6)
		b.String("c")
	}})
	st.Update(e)
	ctx := &fields.Ctx{State: st}
	ctx.Reset(e)
	for _, w := range []string{"evt.outputtime", "evt.deltatime", "evt.deltatime.ns", "evt.count.error.other", "evt.count.error.file",
		"evt.abspath", "evt.arg.oldpath", "evt.arg.res", "evt.buflen", "fd.sproto", "evt.type", "evt.reltime.ns"} {
		f, a, _ := fields.Default.Lookup(w, fields.Arg{})
		b, err := fields.Default.Bind(f.Name, a)
		if err != nil {
			t.Fatal(err)
		}
		var v fields.Value
		var buf []byte
		run := func() {
			b.Extract(ctx, &v)
			buf = b.AppendText(buf[:0], &v)
		}
		run()
		if n := testing.AllocsPerRun(100, run); n != 0 {
			t.Errorf("%s: %.1f allocations per extraction", w, n)
		}
	}
}
