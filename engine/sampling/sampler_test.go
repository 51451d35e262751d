package sampling

import (
	"math"
	"slices"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

func mustEvent(t testing.TB, typ event.Type, params ...[]byte) *event.Event {
	t.Helper()
	var b event.Builder
	b.Begin(typ, 1_700_000_000_000_000_000, 42)
	for _, p := range params {
		b.Bytes(p)
	}
	ev, err := event.Parse(slices.Clone(b.Finish()), 0)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestShouldDropStatistics checks, for a fixed seed, that the kept fraction
// of a droppable stream is within 4 standard deviations of the binomial
// expectation 1/(R×M) (everything kept when M is 0).
func TestShouldDropStatistics(t *testing.T) {
	const n = 200_000
	ev := mustEvent(t, event.SyscallReadX)
	for _, r := range []uint32{2, 4, 8, 128} {
		for _, m := range []float64{0, 1, 2} {
			s := New(uint64(r)*1000 + uint64(m))
			if err := s.SetRatio(r); err != nil {
				t.Fatal(err)
			}
			if err := s.SetMultiplier(m); err != nil {
				t.Fatal(err)
			}
			kept := 0
			for range n {
				if !s.ShouldDrop(ev) {
					kept++
				}
			}
			p := 1.0
			if m != 0 {
				p = 1 / (float64(r) * m)
			}
			mean := n * p
			sd := math.Sqrt(n * p * (1 - p))
			if math.Abs(float64(kept)-mean) > 4*sd {
				t.Errorf("R=%d M=%v: kept %d of %d, want %.1f ± %.1f (4σ)", r, m, kept, n, mean, 4*sd)
			}
			if m == 0 && kept != n {
				t.Errorf("R=%d M=0: dropped %d events, want none", r, n-kept)
			}
			s.Flush()
			if got := s.Dropped(); got != uint64(n-kept) {
				t.Errorf("R=%d M=%v: Dropped() = %d, want %d", r, m, got, n-kept)
			}
			if got := s.KeepProbability(); math.Abs(got-p) > 1e-12 {
				t.Errorf("R=%d M=%v: KeepProbability() = %v, want %v", r, m, got, p)
			}
		}
	}
}

func TestRatioOneNeverDrops(t *testing.T) {
	s := New(1)
	if err := s.SetMultiplier(100); err != nil {
		t.Fatal(err)
	}
	for range 10_000 {
		if s.ShouldDropType(event.SyscallReadX) {
			t.Fatal("ratio 1 dropped an event")
		}
	}
}

// A multiplier below 1 can make 1/(R×M) >= 1: then nothing is dropped.
func TestSmallMultiplierKeepsAll(t *testing.T) {
	s := New(1)
	_ = s.SetRatio(4)
	_ = s.SetMultiplier(0.25)
	for range 10_000 {
		if s.ShouldDropType(event.SyscallReadX) {
			t.Fatal("R×M = 1 dropped an event")
		}
	}
	_ = s.SetMultiplier(0.5) // p = 0.5
	dropped := 0
	for range 10_000 {
		if s.ShouldDropType(event.SyscallReadX) {
			dropped++
		}
	}
	if dropped < 4500 || dropped > 5500 {
		t.Fatalf("R=4 M=0.5 dropped %d of 10000, want about half", dropped)
	}
}

func TestStateEventsNeverDropped(t *testing.T) {
	s := New(7)
	_ = s.SetRatio(128)
	_ = s.SetMultiplier(2)
	for _, name := range []string{"execve", "clone", "clone3", "fork", "vfork", "close", "dup2", "openat", "socket", "connect", "setuid", "procexit", "drop", "container"} {
		types := event.TypesByName(name)
		if len(types) == 0 {
			t.Fatalf("no event type named %q", name)
		}
		for _, typ := range types {
			for range 1000 {
				if s.ShouldDropType(typ) {
					t.Fatalf("%s (%v) was dropped", name, typ)
				}
			}
		}
	}
	// And the droppable ones are: plain I/O and the send/recv family.
	for _, name := range []string{"read", "write", "sendto", "recvfrom", "stat", "getpid"} {
		types := event.TypesByName(name)
		if len(types) == 0 {
			continue // no dedicated event (getpid is a generic event)
		}
		if !Droppable(types[len(types)-1]) {
			t.Errorf("%s should be droppable", name)
		}
	}
	if Droppable(event.Type(event.MaxType)) || KeepsState(event.Type(event.MaxType+5)) {
		t.Error("out-of-range types must be neither droppable nor state")
	}
}

func TestNeverDropSyscalls(t *testing.T) {
	names := NeverDropSyscalls()
	for _, want := range []string{"execve", "execveat", "clone", "clone3", "fork", "vfork", "close", "dup", "dup2", "dup3", "open", "openat", "openat2", "socket", "accept4", "connect", "chdir", "setuid", "setresuid", "pipe2"} {
		if !slices.Contains(names, want) {
			t.Errorf("NeverDropSyscalls lacks %q", want)
		}
	}
	for _, not := range []string{"sendto", "recvfrom", "read", "write", "procexit", "container"} {
		if slices.Contains(names, not) {
			t.Errorf("NeverDropSyscalls has %q", not)
		}
	}
	if !slices.IsSorted(names) {
		t.Error("not sorted")
	}
}

func TestSettersValidate(t *testing.T) {
	s := New(1)
	for _, r := range []uint32{0, 3, 6, 256, 1000} {
		if err := s.SetRatio(r); err == nil {
			t.Errorf("SetRatio(%d) accepted", r)
		}
	}
	for _, r := range []uint32{1, 2, 4, 8, 16, 32, 64, 128} {
		if err := s.SetRatio(r); err != nil || s.Ratio() != r {
			t.Errorf("SetRatio(%d): %v, Ratio()=%d", r, err, s.Ratio())
		}
	}
	for _, m := range []float64{-1, math.NaN(), math.Inf(1)} {
		if err := s.SetMultiplier(m); err == nil {
			t.Errorf("SetMultiplier(%v) accepted", m)
		}
	}
	if err := s.SetMultiplier(1.5); err != nil || s.Multiplier() != 1.5 {
		t.Errorf("SetMultiplier(1.5): %v, %v", err, s.Multiplier())
	}
}

func le32(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }

func TestFollowDropEvents(t *testing.T) {
	s := New(1)
	_ = s.SetMultiplier(1)
	dropE := mustEvent(t, event.DropE, le32(8))
	dropX := mustEvent(t, event.DropX, le32(4))
	bad := mustEvent(t, event.DropE, le32(3))

	if s.ShouldDrop(dropE) || s.Ratio() != 1 {
		t.Fatalf("drop event changed the ratio (%d) while not following", s.Ratio())
	}
	s.FollowDropEvents(true)
	if s.ShouldDrop(dropE) || s.Ratio() != 8 {
		t.Fatalf("after DROP_E(8): ratio %d, want 8", s.Ratio())
	}
	if s.ShouldDrop(dropX) || s.Ratio() != 4 {
		t.Fatalf("after DROP_X(4): ratio %d, want 4", s.Ratio())
	}
	if s.ShouldDrop(bad) || s.Ratio() != 4 {
		t.Fatalf("an invalid ratio in a drop event was taken: %d", s.Ratio())
	}
}

func TestKeepThresholdExact(t *testing.T) {
	if got := keepThreshold(2, 1); got != 1<<52 {
		t.Errorf("R=2 M=1: %d, want 2^52", got)
	}
	if got := keepThreshold(128, 2); got != 1<<45 {
		t.Errorf("R=128 M=2: %d, want 2^45", got)
	}
	if got := keepThreshold(2, 3); got != uint64(math.Ceil(float64(1<<53)/6)) {
		t.Errorf("R=2 M=3: %d", got)
	}
}
