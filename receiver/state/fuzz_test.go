package state

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// FuzzUpdate feeds arbitrary events — any type, any parameter count and
// lengths, any bytes — to one state: Update must never panic, and the
// tables must stay consistent enough to snapshot.
func FuzzUpdate(f *testing.F) {
	var b event.Builder
	seed := func(typ event.Type, tid int64, p P) {
		f.Add(mk(f, typ, 1000, tid, p))
	}
	seed(event.SyscallCloneV20X, 10, P{"res": 0, "tid": 10, "pid": 10, "ptid": 1, "comm": "x", "flags": CloneThread})
	seed(event.SyscallOpenatV2X, 10, P{"fd": 3, "dirfd": 3, "name": "../a", "flags": OpenDirectory})
	seed(event.SocketConnectX, 10, P{"res": 0, "tuple": unixTuple{1, 2, "/x"}, "fd": 3})
	seed(event.SyscallExecveV19X, 10, P{"res": 0, "exe": "/bin/x", "args": []string{"a"}, "cgroups": []string{"cpu=/docker/" + id64}})
	seed(event.ProcexitV1E, 10, P{"status": 0, "ret": 0, "sig": 0, "core": 0, "reaper_tid": 10})
	b.Begin(event.SyscallDup2X, 1, 10)
	b.Int64(1 << 40)
	b.Int64(3)
	b.Int64(1 << 40)
	f.Add(append([]byte(nil), b.Finish()...))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := New(Config{MaxThreads: 64})
		var e event.Event
		// data is a sequence of events: u16 type, u8 tid, u8 nparams,
		// then per parameter u8 length and that many bytes
		for round := 0; round < 2; round++ {
			d := data
			for len(d) >= 4 {
				typ := event.Type(binary.LittleEndian.Uint16(d) % event.MaxType)
				tid := int64(d[2] % 16)
				n := int(d[3] % 40)
				d = d[4:]
				b.Begin(typ, uint64(len(d)), tid)
				for i := 0; i < n && len(d) > 0; i++ {
					l := int(d[0])
					d = d[1:]
					l = min(l, len(d))
					b.Bytes(d[:l])
					d = d[l:]
				}
				if e.Reset(b.Finish(), 0) != nil {
					continue
				}
				s.Update(&e)
				s.EventFD()
				if th := s.EventThread(); th != nil {
					th.AppendCmdline(nil)
					s.Ancestors(th, func(int, *Thread) bool { return true })
				}
			}
			if s.Len() > 64 {
				t.Fatalf("thread table over its bound: %d", s.Len())
			}
			if err := s.checkInvariants(); err != nil {
				t.Fatal(err)
			}
		}
		s.Snapshot(SnapshotOptions{})
	})
	// a whole event as the seed is read as garbage by the decoder above,
	// which is the point: the seeds give the fuzzer realistic bytes
}

// checkInvariants verifies what the counters and links promise: the fd
// gauge is the number of fds of the processes in the table, each group's
// live-thread count matches its live threads in the table, and children
// lists point at children.
func (s *State) checkInvariants() error {
	groups := map[*group]int{}
	for tid, t := range s.threads {
		if t.Tid != tid {
			return fmt.Errorf("thread %d stored under %d", t.Tid, tid)
		}
		if _, ok := groups[t.g]; !ok {
			groups[t.g] = 0
		}
		if !t.dead {
			groups[t.g]++
		}
		for _, c := range t.children {
			if c.Ptid != t.Tid {
				return fmt.Errorf("thread %d lists child %d whose ptid is %d", t.Tid, c.Tid, c.Ptid)
			}
		}
	}
	var fds uint64
	for g, live := range groups {
		if g.nthreads != live {
			return fmt.Errorf("group %d counts %d live threads, table has %d", g.pid, g.nthreads, live)
		}
		if live > 0 {
			fds += uint64(g.fds.Len())
		}
	}
	if s.pendingFDG != nil {
		// the fd is still in the table until the next Update
	}
	if fds != s.stats.FDs {
		return fmt.Errorf("fd gauge %d, tables hold %d", s.stats.FDs, fds)
	}
	return nil
}

// FuzzOps drives the state with well-formed events in arbitrary orders —
// clones (parent and child sides, threads and processes), execs, exits,
// opens, closes, dups, pipes, sockets — on a few tids and fds, and checks
// the invariants after every event. Random orders reach the corner cases
// (a thread exiting before its clone is reported, a dup onto an fd being
// closed, ...) that hand-written tests do not.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 1, 4, 5, 2, 3, 6, 1, 0, 7, 2, 1, 8, 3, 2})
	f.Add([]byte{1, 1, 0, 1, 2, 1, 9, 1, 1, 10, 2, 5, 4, 1, 0, 4, 2, 0})
	f.Fuzz(runOps)
}

// TestRandomOps runs FuzzOps's body on a few thousand random sequences,
// so the invariants are checked in every test run, not only when fuzzing.
func TestRandomOps(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	n := 1000
	if testing.Short() {
		n = 300
	}
	ops := make([]byte, 300)
	for i := 0; i < n; i++ {
		rng.Read(ops)
		runOps(t, ops)
		if t.Failed() {
			t.Fatalf("sequence %x", ops)
		}
	}
}

func runOps(t *testing.T, ops []byte) {
	{
		s := New(Config{MaxThreads: 6, PurgeInterval: 50_000_000, ThreadTimeout: 20_000_000})
		fd := newFeeder(t, s)
		for i := 0; i+2 < len(ops) && i < 600; i += 3 {
			op, tid, arg := ops[i]%12, int64(ops[i+1]%8)+1, int64(ops[i+2]%8)
			flags := uint32(0)
			if arg%2 == 1 {
				flags = CloneThread | CloneVM | CloneFiles
			}
			child := arg + 1
			switch op {
			case 0: // clone, parent side
				fd.do(event.SyscallCloneV20X, tid, P{"res": child, "tid": tid, "pid": tid, "ptid": 1, "comm": "p", "flags": flags})
			case 1: // clone, child side
				fd.do(event.SyscallCloneV20X, child, P{"res": 0, "tid": child, "pid": map[bool]int64{true: tid, false: child}[flags != 0], "ptid": tid, "comm": "c", "flags": flags})
			case 2:
				fd.do(event.SyscallExecveV19X, tid, P{"res": 0, "exe": "/bin/x", "comm": "x", "tid": tid, "pid": tid, "ptid": 1})
			case 3:
				fd.do(event.ProcexitV1E, tid, P{"status": 0, "ret": 0, "sig": 0, "core": 0, "reaper_tid": arg})
			case 4:
				fd.do(event.SyscallOpenatV2X, tid, P{"fd": arg, "dirfd": AtFDCWD, "name": "f", "flags": uint32(arg%3) * OpenCloexec})
			case 5:
				fd.do(event.SyscallCloseX, tid, P{"res": 0, "fd": arg})
			case 6:
				fd.do(event.SyscallDup2X, tid, P{"res": arg, "oldfd": (arg + 1) % 8, "newfd": arg})
			case 7:
				fd.do(event.SyscallPipe2X, tid, P{"res": 0, "fd1": arg, "fd2": (arg + 3) % 8, "ino": 1, "flags": 0})
			case 8:
				fd.do(event.SocketSocketX, tid, P{"fd": arg, "domain": afInet, "type": sockDgram, "proto": 0, "flags": 0})
			case 9:
				fd.do(event.SyscallCloseRangeX, tid, P{"res": 0, "first": arg, "last": arg + 2, "flags": 0})
			case 10:
				fd.ts += 30_000_000 // let the purge run
				fd.do(event.SyscallGetuidX, tid, P{})
			case 11:
				fd.do(event.SyscallChdirX, tid, P{"res": 0, "path": "d"})
			}
			if err := s.checkInvariants(); err != nil {
				t.Fatalf("after op %d (%d tid %d arg %d): %v", i/3, op, tid, arg, err)
			}
			if s.Len() > 6 {
				t.Fatalf("table over its bound: %d", s.Len())
			}
		}
	}
}
