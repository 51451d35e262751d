package scap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// sampleMetadata has one of everything the writer can write.
func sampleMetadata() *Metadata {
	return &Metadata{
		Major: 1, Minor: 2,
		Machine: &MachineInfo{NumCPUs: 2, MemorySizeBytes: 1 << 30, MaxPID: 4194304, Hostname: "host-a", BootTimeEpoch: 1690000000000000000},
		Processes: []Process{
			{Tid: 1, Pid: 1, Ptid: 0, Sid: 1, Vpgid: 1, Comm: "init", Exe: "/sbin/init", ExePath: "/usr/lib/systemd/systemd",
				Args: []string{"splash", ""}, Cwd: "/", FDLimit: 1024, UID: 0, GID: 0, VMSizeKB: 10, Env: []string{"A=1", "B=2"},
				Vtid: 1, Vpid: 1, Cgroups: []string{"cpu=/", "memory=/x"}, Root: "/", LoginUID: noLoginUID},
			{Tid: 42, Pid: 40, Ptid: 1, Sid: -1, Vpgid: -1, Comm: "sh", Exe: "sh", Vtid: 2, Vpid: 1, LoginUID: 1000,
				PidnsInitStartTs: 7, TTY: 34816, ExeWritable: true, CapPermitted: 0x1ff, ExeUpperLayer: true, ExeIno: 99,
				ExeInoCtime: 5, ExeInoMtime: 6, ExeFromMemfd: true, ExeLowerLayer: true, Pgid: 40},
		},
		FDs: []FD{
			{Tid: 1, FD: 0, Ino: 5, Type: FDFileV2, Name: "/dev/null", OpenFlags: 3, Dev: 0x803},
			{Tid: 1, FD: 3, Type: FDIPv4Sock, SrcAddr: netip.MustParseAddr("10.0.0.1"), DstAddr: netip.MustParseAddr("10.0.0.2"), SrcPort: 1234, DstPort: 80, L4Proto: 3},
			{Tid: 42, FD: 4, Type: FDIPv6Server, SrcAddr: netip.MustParseAddr("::1"), SrcPort: 443, L4Proto: 3},
			{Tid: 42, FD: 5, Type: FDIPv6Sock, SrcAddr: netip.MustParseAddr("::1"), DstAddr: netip.MustParseAddr("fe80::1"), SrcPort: 1, DstPort: 2, L4Proto: 3},
			{Tid: 42, FD: 6, Type: FDIPv4Server, SrcAddr: netip.MustParseAddr("0.0.0.0"), SrcPort: 22, L4Proto: 3},
			{Tid: 42, FD: 7, Type: FDUnixSock, UnixSource: 0xffff1, UnixDest: 0xffff2, Name: "/run/x.sock"},
			{Tid: 42, FD: 8, Type: FDFifo, Name: "pipe:[1]"},
		},
		Users:  []User{{UID: 0, GID: 0, Name: "root", HomeDir: "/root", Shell: "/bin/bash"}},
		Groups: []Group{{GID: 0, Name: "root"}, {GID: 1000, Name: "users"}},
		Interfaces: []Interface{
			{Type: IfIPv4, Name: "lo", Addr: netip.MustParseAddr("127.0.0.1"), Netmask: netip.MustParseAddr("255.0.0.0"), Broadcast: netip.MustParseAddr("127.0.0.1"), LinkSpeed: 0},
			{Type: IfIPv6NoLinkSpeed, Name: "eth0", Addr: netip.MustParseAddr("fe80::1"), Netmask: netip.MustParseAddr("ffff:ffff:ffff:ffff::"), Broadcast: netip.MustParseAddr("::")},
		},
	}
}

func sampleCapture(t testing.TB, md *Metadata, gz bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, md, WriterOptions{Gzip: gz})
	if err != nil {
		t.Fatal(err)
	}
	var b event.Builder
	b.Begin(event.SyscallOpenatV2X, 1000, 42)
	b.Int64(3)
	b.Int64(-100)
	b.String("/etc/passwd")
	b.Uint32(1)
	b.Uint32(0)
	b.Uint32(0)
	b.Uint64(0)
	var e event.Event
	if err := e.Reset(b.Finish(), 1); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteEvent(&e); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteEventFlags(&e, 7); err != nil {
		t.Fatal(err)
	}
	b.Begin(event.ContainerJsonV2E, 2000, 42)
	b.String(strings.Repeat("x", 70000)) // needs u32 lengths: EV_V2_LARGE
	if err := e.Reset(b.Finish(), 0); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteEvent(&e); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteReadMetadata(t *testing.T) {
	for _, gz := range []bool{false, true} {
		md := sampleMetadata()
		raw := sampleCapture(t, md, gz)
		r, err := NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Metadata(); !reflect.DeepEqual(got, md) {
			t.Errorf("gzip=%v: metadata round trip:\n got %+v\nwant %+v", gz, got, md)
		}
		var e event.Event
		var types []event.Type
		for {
			err := r.Next(&e)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			types = append(types, e.Type())
			f, hf := r.EventFlags()
			if len(types) == 2 && (!hf || f != 7) {
				t.Errorf("second event: flags %d %v", f, hf)
			}
		}
		if len(types) != 3 || types[2] != event.ContainerJsonV2E {
			t.Errorf("events %v", types)
		}
	}
}

// blocks splits a plain capture into its blocks.
func blocks(raw []byte) [][]byte {
	var out [][]byte
	for len(raw) >= 8 {
		n := binary.LittleEndian.Uint32(raw[4:])
		out = append(out, raw[:n])
		raw = raw[n:]
	}
	return out
}

func TestOldBlockIDs(t *testing.T) {
	md := sampleMetadata()
	// Old writers used the 0x80xxABCD ids; an unknown block is skipped.
	raw := sampleCapture(t, &Metadata{Machine: md.Machine}, false)
	bs := blocks(raw)
	binary.LittleEndian.PutUint32(bs[1], blockMIOld)
	unknown := []byte{0x99, 0x99, 0, 0, 16, 0, 0, 0, 1, 2, 3, 4, 16, 0, 0, 0}
	var out []byte
	out = append(out, bs[0]...)
	out = append(out, unknown...)
	out = append(out, bs[1]...)
	for _, b := range bs[2:] {
		out = append(out, b...)
	}
	r, err := NewReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Metadata().Machine, md.Machine) {
		t.Errorf("machine info under the old id: %+v", r.Metadata().Machine)
	}
}

func TestMalformed(t *testing.T) {
	good := sampleCapture(t, sampleMetadata(), false)
	bs := blocks(good)
	mi := len(bs[0]) // offset of the MI block
	mut := func(f func(p []byte) []byte) []byte { return f(bytes.Clone(good)) }
	cases := map[string]struct {
		in   []byte
		want string
	}{
		"empty":        {nil, "empty file"},
		"not scap":     {[]byte("hello world, this is not a capture"), "not a scap capture"},
		"bad magic":    {mut(func(p []byte) []byte { p[8] ^= 0xff; return p }), "bad section header magic"},
		"version 2":    {mut(func(p []byte) []byte { p[12] = 2; return p }), "unsupported capture version"},
		"trailer":      {mut(func(p []byte) []byte { p[mi+len(bs[1])-1] ^= 1; return p }), "wrong block total length"},
		"short length": {mut(func(p []byte) []byte { binary.LittleEndian.PutUint32(p[mi+4:], 4); return p }), "invalid total length 4"},
		"huge length":  {mut(func(p []byte) []byte { binary.LittleEndian.PutUint32(p[mi+4:], 0xfffffff0); return p }), "invalid total length"},
		"truncated":    {good[:len(good)-10], "truncated"},
		"cut in block": {good[:mi+20], "truncated"},
	}
	for name, c := range cases {
		_, err := readBytes(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
		if err != nil && !strings.Contains(err.Error(), "offset") {
			t.Errorf("%s: error without an offset: %v", name, err)
		}
	}
}

// readBytes reads a whole capture from memory.
func readBytes(raw []byte) (int, error) {
	r, err := NewReader(bytes.NewReader(raw))
	if err != nil {
		return 0, err
	}
	var e event.Event
	n := 0
	for {
		err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// TestHugeLengthAllocatesLittle checks that a block announcing a large
// length in a short file costs an error, not the announced memory.
func TestHugeLengthAllocatesLittle(t *testing.T) {
	good := sampleCapture(t, &Metadata{}, false)
	p := bytes.Clone(good[:28+64])
	binary.LittleEndian.PutUint32(p[28+4:], MaxBlockSize-4)
	var before, after runtimeMem
	before.read()
	_, err := readBytes(p)
	after.read()
	if err == nil || !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v", err)
	}
	if d := after.total - before.total; d > 8<<20 {
		t.Errorf("allocated %d bytes for a %d-byte file", d, len(p))
	}
}

// v1Event is the v2 event ev with the old 22-byte header (no nparams).
func v1Event(ev []byte) []byte {
	v1 := append(bytes.Clone(ev[:22]), ev[26:]...)
	binary.LittleEndian.PutUint32(v1[16:], uint32(len(v1)))
	return v1
}

// testEventBlock is an event block of type typ (EV, EV_V2, ...) holding ev,
// captured on cpu, padded to 4 bytes.
func testEventBlock(typ uint32, cpu uint16, ev []byte) []byte {
	body := binary.LittleEndian.AppendUint16(nil, cpu)
	body = append(body, ev...)
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	blk := binary.LittleEndian.AppendUint32(nil, typ)
	blk = binary.LittleEndian.AppendUint32(blk, uint32(len(body)+12))
	blk = append(blk, body...)
	return binary.LittleEndian.AppendUint32(blk, uint32(len(body)+12))
}

func TestV1EventUpgrade(t *testing.T) {
	// An EV (v1) block: 22-byte header, nparams derived from the lengths.
	var b event.Builder
	b.Begin(event.SyscallOpenX, 5, 9)
	b.Int64(3)
	b.String("/x")
	b.Uint32(1)
	b.Uint32(0o644)
	v2 := bytes.Clone(b.Finish()) // 4 params, fewer than the table's 6
	blk := testEventBlock(blockEV, 3, v1Event(v2))
	raw := append(sampleCapture(t, &Metadata{}, false)[:28], blk...)
	r, err := NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var e event.Event
	if err := r.Next(&e); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.Raw(), v2) || e.CPU != 3 || e.NumParams() != 4 {
		t.Errorf("upgraded event %x, want %x", e.Raw(), v2)
	}
	if allocs := testing.AllocsPerRun(100, func() {
		r.pending = true
		r.block = blk
		_ = r.Next(&e)
	}); allocs != 0 {
		t.Errorf("v1 upgrade allocates %v per event", allocs)
	}
}

// TestOldProcessLists decodes hand-built PL V1–V4 entries (no trace has
// them) and checks the defaults of the fields they lack.
func TestOldProcessLists(t *testing.T) {
	for v := 1; v <= 9; v++ {
		var w Writer
		w.u64(7) // tid
		w.u64(6)
		w.u64(1)
		if v >= 6 {
			w.u64(5) // sid
		}
		if v >= 8 {
			w.u64(4) // vpgid
		}
		w.str("comm")
		w.str("exe")
		if v >= 7 {
			w.str("/bin/exe")
		}
		w.list([]string{"a", "b"})
		w.str("/cwd")
		w.u64(1024)
		w.u32(0)
		w.u32(1000)
		w.u32(100)
		if v >= 2 {
			w.u32(1)
			w.u32(2)
			w.u32(3)
			w.u64(4)
			w.u64(5)
		}
		if v >= 3 {
			w.list([]string{"E=1"})
		}
		if v >= 4 {
			w.u64(70)
			w.u64(60)
			w.list([]string{"cpu=/x"})
		}
		if v >= 5 {
			w.str("/root")
		}
		if v >= 9 {
			w.u32(1000) // legacy tail: loginuid only
		}
		entry := w.buf
		if v >= 9 {
			entry = append(binary.LittleEndian.AppendUint32(nil, uint32(len(w.buf)+4)), w.buf...)
		}
		c := cursor{b: entry}
		ps, err := decodePL(&c, v, nil)
		if err != nil || len(ps) != 1 {
			t.Fatalf("V%d: %v %d", v, err, len(ps))
		}
		p := ps[0]
		if p.Tid != 7 || p.Comm != "comm" || p.Cwd != "/cwd" || p.UID != 1000 || !reflect.DeepEqual(p.Args, []string{"a", "b"}) {
			t.Errorf("V%d: %+v", v, p)
		}
		wantVtid := int64(7)
		if v >= 4 {
			wantVtid = 70
		}
		wantSid := int64(-1)
		if v >= 6 {
			wantSid = 5
		}
		wantLogin := uint32(noLoginUID)
		if v >= 9 {
			wantLogin = 1000
		}
		if p.Vtid != wantVtid || p.Sid != wantSid || p.LoginUID != wantLogin || (v >= 2) != (p.PFMajor == 4) || (v >= 3) != (len(p.Env) == 1) {
			t.Errorf("V%d: vtid %d sid %d loginuid %d pf %d env %q", v, p.Vtid, p.Sid, p.LoginUID, p.PFMajor, p.Env)
		}
	}
}

func TestOpenMissing(t *testing.T) {
	if _, err := Open("/nonexistent/x.scap"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v", err)
	}
}
