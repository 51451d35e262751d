package fields

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeDNS answers from a table the test changes; a name missing from it
// is NXDOMAIN, one in fail times out.
type fakeDNS struct {
	mu      sync.Mutex
	answers map[string][]string
	fail    map[string]bool
	calls   map[string]int
}

func (f *fakeDNS) lookup(_ context.Context, name string) ([]netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[name]++
	if f.fail[name] {
		return nil, &net.DNSError{Err: "i/o timeout", Name: name, IsTimeout: true}
	}
	as, ok := f.answers[name]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	var out []netip.Addr
	for _, a := range as {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

func (f *fakeDNS) set(name string, addrs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if addrs == nil {
		delete(f.answers, name)
	} else {
		f.answers[name] = addrs
	}
}

func newFake() *fakeDNS {
	return &fakeDNS{answers: map[string][]string{}, fail: map[string]bool{}, calls: map[string]int{}}
}

func TestNameResolver(t *testing.T) {
	dns := newFake()
	dns.set("api.example", "10.0.0.1", "::ffff:10.0.0.2", "2001:db8::1")
	dns.set("other.example", "10.0.0.2")
	r := NewNameResolver(dns.lookup)
	api, other, gone := r.register("api.example"), r.register("other.example"), r.register("gone.example")
	if r.register("api.example") != api {
		t.Fatal("a name registered twice has two entries")
	}
	if got := r.Registered(); !slices.Equal(got, []string{"api.example", "other.example", "gone.example"}) {
		t.Fatalf("Registered() = %v", got)
	}
	v4 := netip.MustParseAddr("10.0.0.1")
	if api.matches(v4) {
		t.Fatal("a name matches before it is resolved")
	}
	r.Resolve(context.Background())
	for _, c := range []struct {
		n    *resolvedName
		addr string
		want bool
	}{
		{api, "10.0.0.1", true},
		{api, "10.0.0.2", true}, // answered as IPv4-mapped IPv6
		{api, "::ffff:10.0.0.1", true},
		{api, "2001:db8::1", true},
		{api, "10.0.0.3", false},
		{other, "10.0.0.1", false},
		{gone, "10.0.0.1", false},
	} {
		if got := c.n.matches(netip.MustParseAddr(c.addr)); got != c.want {
			t.Errorf("%s matches %s = %v, want %v", c.n.name, c.addr, got, c.want)
		}
	}
	// NameOf: the first registered name that resolves to the address
	if n, ok := r.NameOf(netip.MustParseAddr("10.0.0.2")); !ok || n != "api.example" {
		t.Errorf("NameOf(10.0.0.2) = %q %v, want api.example", n, ok)
	}
	if n, ok := r.NameOf(netip.MustParseAddr("10.9.9.9")); ok {
		t.Errorf("NameOf(10.9.9.9) = %q, want none", n)
	}

	// Resolve only asks for names without an answer.
	calls := dns.calls["api.example"]
	r.Resolve(context.Background())
	if dns.calls["api.example"] != calls {
		t.Error("Resolve asked again for a resolved name")
	}

	// A refresh takes new answers; a failure keeps the last one; NXDOMAIN
	// clears it.
	dns.set("api.example", "10.0.0.9")
	dns.fail["other.example"] = true
	dns.set("gone.example", "10.0.0.7")
	r.resolve(context.Background(), true)
	if api.matches(v4) || !api.matches(netip.MustParseAddr("10.0.0.9")) {
		t.Error("the refresh did not replace api.example's addresses")
	}
	if !other.matches(netip.MustParseAddr("10.0.0.2")) {
		t.Error("a failed refresh dropped other.example's last answer")
	}
	if len(r.Unresolved()) != 0 {
		t.Errorf("unresolved %v: a name once answered counts as answered", r.Unresolved())
	}
	// a name that has never been answered stays unanswered on failure,
	// and the next Resolve asks again
	never := r.register("never.example")
	dns.fail["never.example"] = true
	r.Resolve(context.Background())
	if !slices.Equal(r.Unresolved(), []string{"never.example"}) || never.matches(v4) {
		t.Errorf("unresolved %v after a failed first lookup", r.Unresolved())
	}
	before := dns.calls["never.example"]
	r.Resolve(context.Background())
	if dns.calls["never.example"] != before+1 {
		t.Error("Resolve did not ask again for an unanswered name")
	}
	delete(dns.fail, "never.example")
	if !gone.matches(netip.MustParseAddr("10.0.0.7")) {
		t.Error("gone.example's new answer was not taken")
	}
	dns.set("gone.example")
	r.resolve(context.Background(), true)
	if gone.matches(netip.MustParseAddr("10.0.0.7")) {
		t.Error("NXDOMAIN did not clear gone.example")
	}
}

// Run resolves a name registered after it started without waiting for
// the refresh interval, and stops with its context.
func TestNameResolverRunResolvesNewNames(t *testing.T) {
	dns := newFake()
	dns.set("late.example", "192.0.2.1")
	r := NewNameResolver(dns.lookup)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx, time.Hour); close(done) }()
	n := r.register("late.example")
	deadline := time.Now().Add(5 * time.Second)
	for !n.matches(netip.MustParseAddr("192.0.2.1")) {
		if time.Now().After(deadline) {
			t.Fatal("Run did not resolve a newly registered name")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}

// Resolve returns when its context ends, leaving unanswered names to the
// next round.
func TestNameResolverDeadline(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	r := NewNameResolver(func(ctx context.Context, name string) ([]netip.Addr, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-block:
			return nil, errors.New("unblocked")
		}
	})
	n := r.register("slow.example")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	r.Resolve(ctx)
	if time.Since(start) > 5*time.Second {
		t.Fatal("Resolve did not honour its deadline")
	}
	if n.resolved.Load() || !slices.Equal(r.Unresolved(), []string{"slow.example"}) {
		t.Errorf("a name cut off by the deadline counts as answered (unresolved: %v)", r.Unresolved())
	}
}

// The fd.*ip.name fields take "=", "!=" and "in" (libs' rule); other
// operators are an error, and Match registers the names with Names.
func TestNameFieldOperators(t *testing.T) {
	for _, name := range []string{"fd.cip.name", "fd.sip.name", "fd.lip.name", "fd.rip.name"} {
		b, err := Default.Bind(name, Arg{})
		if err != nil {
			t.Fatal(err)
		}
		if b.Match == nil || !b.Field.Implemented() {
			t.Fatalf("%s has no name matching", name)
		}
		for _, op := range []string{"=", "!=", "in"} {
			if m, err := b.Match(op, []string{"registered-by-" + name + ".invalid"}); m == nil || err != nil {
				t.Errorf("%s %s: %v", name, op, err)
			}
		}
		if !slices.Contains(Names.Registered(), "registered-by-"+name+".invalid") {
			t.Errorf("%s: the name was not registered", name)
		}
		for _, op := range []string{"contains", "startswith", "glob", "pmatch"} {
			if _, err := b.Match(op, []string{"x"}); err == nil {
				t.Errorf("%s %s: no error", name, op)
			}
		}
	}
}

// Once Want has named the names rules in force use, only those are
// looked up (at Resolve, in Run's refreshes) and reported unanswered: the
// names of disabled rules, registered when their conditions compiled,
// cost no lookup. A name wanted later (a rules reload) is resolved by Run
// at once.
func TestNameResolverWant(t *testing.T) {
	dns := newFake()
	dns.set("used.example", "192.0.2.1")
	dns.set("later.example", "192.0.2.2")
	dns.fail["disabled.example"] = true
	r := NewNameResolver(dns.lookup)
	r.register("used.example")
	r.register("disabled.example")
	r.Want([]string{"used.example"})
	r.Resolve(context.Background())
	if dns.calls["disabled.example"] != 0 || dns.calls["used.example"] != 1 {
		t.Errorf("lookups %v", dns.calls)
	}
	if un := r.Unresolved(); len(un) != 0 {
		t.Errorf("unresolved %v (the unwanted name is not reported)", un)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx, time.Hour); close(done) }()
	r.Want([]string{"later.example"}) // a name no condition registered yet
	n := r.register("later.example")
	for deadline := time.Now().Add(5 * time.Second); !n.matches(netip.MustParseAddr("192.0.2.2")); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Run did not resolve a newly wanted name")
		}
	}
	cancel()
	<-done
	dns.mu.Lock()
	defer dns.mu.Unlock()
	if dns.calls["disabled.example"] != 0 {
		t.Errorf("the unwanted name was looked up %d times", dns.calls["disabled.example"])
	}
}
