package event

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

func TestTableShape(t *testing.T) {
	if MaxType != 454 {
		t.Fatalf("MaxType = %d", MaxType)
	}
	for typ := Type(0); typ < MaxType; typ++ {
		info := typ.Info()
		want := Enter
		if typ%2 == 1 {
			want = Exit
		}
		if info.Dir != want {
			t.Errorf("%v: dir %v, want %v", typ, info.Dir, want)
		}
	}
	if n := SyscallOpenatV2X.Info(); n.Name != "openat" || len(n.Params) != 7 || n.Params[2].Name != "name" || n.Params[2].Type != PTFsrelpath {
		t.Fatalf("openat_2_x = %+v", n)
	}
	if ContainerJsonV2E.Info().Flags&FlagLargePayload == 0 {
		t.Fatal("CONTAINER_JSON_2_E must be large-payload")
	}
	ts := TypesByName("execve")
	if len(ts) < 16 {
		t.Fatalf("execve has %d types", len(ts))
	}
	if TypesByName("no_such_event") != nil {
		t.Fatal("unknown name has types")
	}
	if nr, ok := SyscallNumber("openat"); !ok || nr != 257 || SyscallName(59) != "execve" {
		t.Fatalf("syscall table: openat=%d,%v execve=%q", nr, ok, SyscallName(59))
	}
}

func TestBuildAndRead(t *testing.T) {
	var b Builder
	b.Begin(SyscallOpenatV2X, 1700000000123456789, 4242)
	b.Int64(3)
	b.Int64(-100)
	b.String("/etc/passwd")
	b.Uint32(1 | 4)
	b.Uint32(0o644)
	b.Uint32(0x803)
	b.Uint64(1234)
	raw := b.Finish()

	var e Event
	if err := e.Reset(raw, 1); err != nil {
		t.Fatal(err)
	}
	if e.Timestamp() != 1700000000123456789 || e.Tid() != 4242 || e.Type() != SyscallOpenatV2X || e.NumParams() != 7 || e.CPU != 1 {
		t.Fatalf("header: ts=%d tid=%d type=%v n=%d", e.Timestamp(), e.Tid(), e.Type(), e.NumParams())
	}
	if fd, _ := e.Int(0); fd != 3 {
		t.Errorf("fd = %d", fd)
	}
	if d, _ := e.Int(1); d != -100 {
		t.Errorf("dirfd = %d", d)
	}
	if s, ok := e.String(2); !ok || s != "/etc/passwd" {
		t.Errorf("name = %q", s)
	}
	if i := e.ParamIndex("ino"); i != 6 {
		t.Errorf("ino index %d", i)
	}
	if v, _ := e.Uint(6); v != 1234 {
		t.Errorf("ino = %d", v)
	}
	if e.Param(7) != nil || e.Param(-1) != nil {
		t.Error("out-of-range param not nil")
	}
	if allocs := testing.AllocsPerRun(100, func() {
		_ = e.Reset(raw, 0)
		s, _ := e.String(2)
		v, _ := e.Uint(6)
		_, _ = s, v
	}); allocs != 0 {
		t.Errorf("decode allocates %v per event", allocs)
	}
}

func TestViews(t *testing.T) {
	var b Builder
	b.Begin(SocketConnectX, 1, 1)
	b.Int64(0)
	b.SockTupleInet(netip.MustParseAddr("10.0.0.1"), 40000, netip.MustParseAddr("127.0.0.1"), 8080)
	b.Int64(5)
	b.SockAddrInet(netip.MustParseAddr("::1"), 443)
	b.Strings("a", "", "c")
	raw := b.Finish()
	var e Event
	if err := e.Reset(raw, 0); err != nil {
		t.Fatal(err)
	}
	src, sp, dst, dp, ok := e.SockTuple(1).Addrs()
	if !ok || src.String() != "10.0.0.1" || sp != 40000 || dst.String() != "127.0.0.1" || dp != 8080 {
		t.Errorf("tuple = %v:%d -> %v:%d %v", src, sp, dst, dp, ok)
	}
	if a, p, ok := e.SockAddr(3).Addr(); !ok || a.String() != "::1" || p != 443 {
		t.Errorf("addr = %v %d", a, p)
	}
	l := e.Strings(4)
	var got []string
	for {
		s, ok := l.Next()
		if !ok {
			break
		}
		got = append(got, s)
	}
	if len(got) != 3 || got[0] != "a" || got[1] != "" || got[2] != "c" {
		t.Errorf("strings = %q", got)
	}
}

func TestResetRejectsMalformed(t *testing.T) {
	var b Builder
	b.Begin(SyscallCloseX, 1, 1)
	b.Int64(0)
	good := append([]byte(nil), b.Finish()...)
	cases := map[string]struct {
		mut  func([]byte) []byte
		want error
	}{
		"short":      {func(p []byte) []byte { return p[:10] }, ErrShort},
		"len":        {func(p []byte) []byte { p[16]++; return p }, ErrLength},
		"type":       {func(p []byte) []byte { p[20], p[21] = 0xff, 0xff; return p }, ErrType},
		"nparams":    {func(p []byte) []byte { p[22] = 200; return p }, ErrParamCount},
		"lens":       {func(p []byte) []byte { p[22] = 20; return p }, ErrParamLens},
		"param size": {func(p []byte) []byte { p[26] = 0xff; return p }, ErrParamLens},
	}
	for name, c := range cases {
		var e Event
		err := e.Reset(c.mut(append([]byte(nil), good...)), 0)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", name, err, c.want)
		}
	}
}

// FuzzEventReset checks that no input makes the decoder panic or read out
// of bounds, and that every accessor stays within the event.
func FuzzEventReset(f *testing.F) {
	var b Builder
	b.Begin(SyscallOpenatV2X, 1, 2)
	b.Int64(3)
	b.Int64(-100)
	b.String("/tmp/x")
	f.Add(append([]byte(nil), b.Finish()...))
	b.Begin(ContainerJsonV2E, 1, 2)
	b.String(`{"container":{}}`)
	f.Add(append([]byte(nil), b.Finish()...))
	b.Begin(SyscallReadX, 1, 2)
	b.Int64(3)
	b.Bytes([]byte("abc"))
	f.Add(append([]byte(nil), b.Finish()...))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var e Event
		err := e.Reset(raw, 0)
		params, ok := naiveParams(raw)
		if (err == nil) != ok {
			t.Fatalf("Reset err = %v, naive decoding ok = %v", err, ok)
		}
		if err != nil {
			return
		}
		if e.NumParams() != len(params) {
			t.Fatalf("%d params, naive %d", e.NumParams(), len(params))
		}
		for i, p := range params {
			if !bytes.Equal(e.Param(i), p) || len(e.Param(i)) != len(p) {
				t.Fatalf("param %d = %x, naive %x", i, e.Param(i), p)
			}
		}
		for i := -1; i <= e.NumParams(); i++ {
			e.Uint(i)
			e.Int(i)
			e.String(i)
			e.Double(i)
			e.Dyn(i)
			e.SockAddr(i).Addr()
			e.SockAddr(i).Path()
			e.SockTuple(i).Addrs()
			e.SockTuple(i).Unix()
			l := e.FDList(i)
			for j := 0; j < l.Len(); j++ {
				l.At(j)
			}
			e.Strings(i).Len()
		}
	})
}

func TestBuilderSteadyStateAllocatesNothing(t *testing.T) {
	var b Builder
	build := func() {
		b.Begin(SyscallOpenatV2X, 1, 2)
		b.Int64(3)
		b.Int64(-100)
		b.String("/etc/passwd")
		b.Uint32(1)
		b.Uint32(0)
		b.Uint32(0)
		b.Uint64(7)
		b.Uint8(1)
		b.Uint16(2)
		_ = b.Finish()
	}
	build()
	if n := testing.AllocsPerRun(100, build); n != 0 {
		t.Fatalf("Builder allocates %v per event once warm", n)
	}
}

// naiveParams splits an event into its parameters the obvious way, one
// bounds check per parameter, as a reference for Reset.
func naiveParams(raw []byte) ([][]byte, bool) {
	if len(raw) < HeaderSize || int(binary.LittleEndian.Uint32(raw[16:])) != len(raw) {
		return nil, false
	}
	t := Type(binary.LittleEndian.Uint16(raw[20:]))
	n := int(binary.LittleEndian.Uint32(raw[22:]))
	if !t.Valid() || n > MaxParams {
		return nil, false
	}
	lensz := 2
	if t.Info().Flags&FlagLargePayload != 0 {
		lensz = 4
	}
	pos := HeaderSize + n*lensz
	if pos > len(raw) {
		return nil, false
	}
	var out [][]byte
	for i := 0; i < n; i++ {
		var pl int
		if lensz == 2 {
			pl = int(binary.LittleEndian.Uint16(raw[HeaderSize+2*i:]))
		} else {
			pl = int(binary.LittleEndian.Uint32(raw[HeaderSize+4*i:]))
		}
		if pl > len(raw)-pos {
			return nil, false
		}
		out = append(out, raw[pos:pos+pl])
		pos += pl
	}
	return out, true
}

// Addresses print as inet_ntop prints them, and an IPv6 connection is an
// IPv4 one when both ends are IPv4-mapped or unspecified (checked against
// sysdig 0.29 in engine/fields' TestAddressesMatchSysdig).
func TestAppendIPAndIPv4Pair(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"1.2.3.4", "1.2.3.4"}, {"::", "::"}, {"::1", "::1"}, {"::0.0.1.2", "::102"},
		{"::1.2.3.4", "::1.2.3.4"}, {"::ffff:1.2.3.4", "::ffff:1.2.3.4"}, {"2001:db8::1", "2001:db8::1"},
	} {
		if got := string(AppendIP(nil, netip.MustParseAddr(c.in))); got != c.want {
			t.Errorf("AppendIP(%s) = %s, want %s", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		a, b, wa, wb string
		ok           bool
	}{
		{"::ffff:1.2.3.4", "::ffff:5.6.7.8", "1.2.3.4", "5.6.7.8", true},
		{"::", "::ffff:5.6.7.8", "0.0.0.0", "5.6.7.8", true},
		{"::", "::", "0.0.0.0", "0.0.0.0", true},
		{"::", "::1", "::", "::1", false},
		{"::ffff:1.2.3.4", "2001:db8::1", "::ffff:1.2.3.4", "2001:db8::1", false},
		{"1.2.3.4", "0.0.0.0", "1.2.3.4", "0.0.0.0", false},
	} {
		a, b, ok := IPv4Pair(netip.MustParseAddr(c.a), netip.MustParseAddr(c.b))
		if a.String() != c.wa || b.String() != c.wb || ok != c.ok {
			t.Errorf("IPv4Pair(%s, %s) = %s, %s, %v", c.a, c.b, a, b, ok)
		}
	}
}

func TestBuilderFixed(t *testing.T) {
	var b Builder
	b.Begin(SyscallOpenatV2X, 1, 2)
	v := uint64(0x1122334455667788)
	for _, pt := range []ParamType{PTUint8, PTUint16, PTUint32, PTUint64} {
		if !b.Fixed(pt, v) {
			t.Fatalf("Fixed(%v) refused", pt)
		}
	}
	if !b.Fixed(PTIpv6addr, v) || b.Fixed(PTCharbuf, v) {
		t.Fatal("Fixed took a 16-byte address or refused it, or took a string")
	}
	e, err := Parse(b.Finish(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []uint64{0x88, 0x7788, 0x55667788, v} {
		if got, _ := e.Uint(i); got != want {
			t.Errorf("parameter %d = %#x, want %#x", i, got, want)
		}
	}
	if p := e.Param(4); len(p) != 16 || binary.LittleEndian.Uint64(p) != v || binary.LittleEndian.Uint64(p[8:]) != 0 {
		t.Errorf("16-byte parameter % x", p)
	}
	if e.NumParams() != 5 {
		t.Errorf("%d parameters, want 5 (a string refused appends nothing)", e.NumParams())
	}
}
