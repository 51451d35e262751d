package state

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// P gives an event's parameters by name; parameters not named are written
// empty (absent), as a driver does for values it could not read.
type P map[string]any

type inetTuple struct {
	src   string
	sport uint16
	dst   string
	dport uint16
}

type unixTuple struct {
	src, dst uint64
	path     string
}

type inetAddr struct {
	ip   string
	port uint16
}

type unixAddr string

// mk builds an event of type typ with the named parameters encoded as the
// table says each parameter is typed.
func mk(tb testing.TB, typ event.Type, ts uint64, tid int64, p P) []byte {
	tb.Helper()
	var b event.Builder
	b.Begin(typ, ts, tid)
	used := 0
	for _, pi := range typ.Info().Params {
		v, ok := p[pi.Name]
		if !ok {
			b.Empty()
			continue
		}
		used++
		if err := put(&b, pi.Type, v); err != nil {
			tb.Fatalf("%v param %s: %v", typ, pi.Name, err)
		}
	}
	if used != len(p) {
		tb.Fatalf("%v: some of %v are not parameters of the type", typ, p)
	}
	return append([]byte(nil), b.Finish()...)
}

func toU64(v any) (uint64, error) {
	switch x := v.(type) {
	case int:
		return uint64(x), nil
	case int64:
		return uint64(x), nil
	case uint32:
		return uint64(x), nil
	case uint64:
		return x, nil
	}
	return 0, fmt.Errorf("not an integer: %T", v)
}

func put(b *event.Builder, pt event.ParamType, v any) error {
	switch pt {
	case event.PTCharbuf, event.PTFspath, event.PTFsrelpath:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want string, got %T", v)
		}
		b.String(s)
	case event.PTBytebuf:
		switch x := v.(type) {
		case []string:
			b.Strings(x...)
		case []byte:
			b.Bytes(x)
		default:
			return fmt.Errorf("want []string or []byte, got %T", v)
		}
	case event.PTDyn:
		x, ok := v.([]byte)
		if !ok {
			return fmt.Errorf("want []byte (the index, then the value), got %T", v)
		}
		b.Bytes(x)
	case event.PTSocktuple:
		switch x := v.(type) {
		case inetTuple:
			b.SockTupleInet(netip.MustParseAddr(x.src), x.sport, netip.MustParseAddr(x.dst), x.dport)
		case unixTuple:
			b.SockTupleUnix(x.src, x.dst, x.path)
		default:
			return fmt.Errorf("want a tuple, got %T", v)
		}
	case event.PTSockaddr:
		switch x := v.(type) {
		case inetAddr:
			b.SockAddrInet(netip.MustParseAddr(x.ip), x.port)
		case unixAddr:
			b.SockAddrUnix(string(x))
		default:
			return fmt.Errorf("want an address, got %T", v)
		}
	default:
		n, err := toU64(v)
		if err != nil {
			return err
		}
		if pt.FixedSize() == 16 || !b.Fixed(pt, n) {
			return fmt.Errorf("unsupported parameter type %v", pt)
		}
	}
	return nil
}

// feeder applies events to a state with increasing timestamps.
type feeder struct {
	tb testing.TB
	s  *State
	ts uint64
	e  event.Event
}

func newFeeder(tb testing.TB, s *State) *feeder {
	if s == nil {
		s = New(Config{})
	}
	return &feeder{tb: tb, s: s, ts: 1_700_000_000_000_000_000}
}

// do applies one event and returns the state for inspection.
func (f *feeder) do(typ event.Type, tid int64, p P) *State {
	f.tb.Helper()
	f.ts += 1000
	raw := mk(f.tb, typ, f.ts, tid, p)
	if err := f.e.Reset(raw, 0); err != nil {
		f.tb.Fatal(err)
	}
	f.s.Update(&f.e)
	return f.s
}

// proc adds a process (main thread) with the given identity through a
// child-side clone exit, the way a live event stream would introduce it.
func (f *feeder) proc(pid, ppid int64, comm string, args ...string) *Thread {
	f.tb.Helper()
	f.do(event.SyscallClone3X, pid, P{
		"res": 0, "exe": "/usr/bin/" + comm, "args": args, "tid": pid, "pid": pid, "ptid": ppid,
		"cwd": "/home/u", "fdlimit": 1024, "comm": comm, "flags": 0, "uid": 1000, "gid": 1000,
		"vtid": pid, "vpid": pid, "pidns_init_start_ts": 5,
	})
	t := f.s.Thread(pid)
	if t == nil {
		f.tb.Fatalf("process %d not created", pid)
	}
	f.do(event.SyscallChdirX, pid, P{"res": 0, "path": "/home/u"})
	return t
}

func (f *feeder) open(tid, fd int64, name string, flags uint32) {
	f.tb.Helper()
	f.do(event.SyscallOpenatV2X, tid, P{"fd": fd, "dirfd": AtFDCWD, "name": name, "flags": flags, "mode": 0, "dev": 0x803, "ino": 42})
}
