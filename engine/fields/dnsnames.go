package fields

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sakersec/saker/receiver/event"
)

// DNS names of connection ends: fd.cip.name, fd.sip.name, fd.lip.name and
// fd.rip.name. libs does not resolve an fd's address to a name (no reverse
// lookup on the event path); it works the other way round, and so does
// saker: a rule that writes
//
//	fd.sip.name = "kubernetes.default.svc.cluster.local"
//	fd.sip.name in (miner_domains)
//
// registers each name with a [NameResolver], which resolves it (forward,
// A and AAAA) and refreshes it in the background; the check is true when
// the fd's address is among the addresses the name currently resolves to
// ("!=": it is not; "in": any of the names; other operators are a load
// error, as in libs). The event path only reads the last answer (an
// atomic load), so it never waits on DNS: a name not resolved yet, or
// that does not resolve, matches nothing. In outputs the field's value is
// the first registered name whose addresses contain the fd's address, as
// libs' name_of gives it; not available when none does. Only connections
// have names (a listening socket's address has none, as in libs).

// NameResolver keeps the addresses of the DNS names rules compare the
// fd.*ip.name fields with. The zero value is not usable; see
// [NewNameResolver]. Methods are safe for concurrent use.
type NameResolver struct {
	lookup func(ctx context.Context, name string) ([]netip.Addr, error)

	mu     sync.Mutex
	byName map[string]*resolvedName
	// all is byName in registration order (copy on write): the order
	// NameOf searches, and what the event path ranges over.
	all atomic.Pointer[[]*resolvedName]
	// added is signalled when a name is registered, so Run resolves it
	// without waiting for the next refresh.
	added chan struct{}
	// selective is set by Want: from then on only the names wanted are
	// looked up. Conditions register their names as they compile, those
	// of disabled rules too, which never need an answer.
	selective atomic.Bool
}

// resolvedName is one registered name and its last answer.
type resolvedName struct {
	name     string
	addrs    atomic.Pointer[[]netip.Addr] // nil until the first answer
	resolved atomic.Bool                  // an answer or NXDOMAIN came
	wanted   atomic.Bool                  // see Want
}

// Names is the resolver the fd.*ip.name fields register with: the
// process's DNS resolver (/etc/hosts, then DNS). Run [NameResolver.Resolve]
// after loading rules and [NameResolver.Run] for the refreshes.
var Names = NewNameResolver(nil)

// NewNameResolver returns a resolver that answers with lookup (nil: the
// standard library's resolver, A and AAAA records).
func NewNameResolver(lookup func(ctx context.Context, name string) ([]netip.Addr, error)) *NameResolver {
	if lookup == nil {
		lookup = func(ctx context.Context, name string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", name)
		}
	}
	r := &NameResolver{lookup: lookup, byName: map[string]*resolvedName{}, added: make(chan struct{}, 1)}
	r.all.Store(new([]*resolvedName))
	return r
}

// register returns the entry of name, adding it if new.
func (r *NameResolver) register(name string) *resolvedName {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n, ok := r.byName[name]; ok {
		return n
	}
	n := &resolvedName{name: name}
	r.byName[name] = n
	all := append(slices.Clone(*r.all.Load()), n)
	r.all.Store(&all)
	select {
	case r.added <- struct{}{}:
	default:
	}
	return n
}

// Want marks names as those that rules in force compare with (rules
// that are enabled), registering them if new, and makes the resolver
// selective: Resolve, Run and Unresolved then deal with the names marked
// so far only. Marks are never taken back (a rules reload adds its own),
// so a name is refreshed for as long as any engine may still use it.
func (r *NameResolver) Want(names []string) {
	r.selective.Store(true)
	for _, s := range names {
		if !r.register(s).wanted.Swap(true) {
			select {
			case r.added <- struct{}{}:
			default:
			}
		}
	}
}

// needed reports whether n is looked up: every name, or the wanted ones
// once Want was called.
func (r *NameResolver) needed(n *resolvedName) bool {
	return !r.selective.Load() || n.wanted.Load()
}

// Registered returns the names registered so far, in order.
func (r *NameResolver) Registered() []string {
	var out []string
	for _, n := range *r.all.Load() {
		out = append(out, n.name)
	}
	return out
}

// Unresolved returns the names looked up (see Want) that have had no
// answer yet (neither addresses nor NXDOMAIN).
func (r *NameResolver) Unresolved() []string {
	var out []string
	for _, n := range *r.all.Load() {
		if r.needed(n) && !n.resolved.Load() {
			out = append(out, n.name)
		}
	}
	return out
}

// Resolve resolves every name looked up (see Want) that has no answer
// yet, in parallel, and returns when all have answered or ctx ends. Call
// it once rules are loaded, with a deadline, so the first events are
// checked against answers (libs resolves a name on its first use, on the
// event path; saker does it before the first event instead).
func (r *NameResolver) Resolve(ctx context.Context) {
	r.resolve(ctx, false)
}

// resolveParallel bounds the lookups in flight and lookupTimeout each
// one: a ruleset can name dozens of domains (the sandbox rules' miner
// pools), and a resolver that drops a query makes its lookup wait out
// retries; names are taken in registration order, so those of the rules
// loaded first are not starved by slow ones.
const (
	resolveParallel = 16
	lookupTimeout   = 2 * time.Second
)

// resolve looks up the registered names (all, or only those without an
// answer) until done or ctx ends.
func (r *NameResolver) resolve(ctx context.Context, all bool) {
	var todo []*resolvedName
	for _, n := range *r.all.Load() {
		if r.needed(n) && (all || !n.resolved.Load()) {
			todo = append(todo, n)
		}
	}
	work := make(chan *resolvedName)
	var wg sync.WaitGroup
	for range min(resolveParallel, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range work {
				r.lookupOne(ctx, n)
			}
		}()
	}
feed:
	for _, n := range todo {
		select {
		case work <- n:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
}

// lookupOne resolves n once. An answer, or NXDOMAIN (no addresses),
// replaces n's addresses; any other failure (a timeout, a server that
// does not answer) keeps the last answer, so a flaky resolver does not
// blind a rule, and leaves n unanswered if it never had one.
func (r *NameResolver) lookupOne(ctx context.Context, n *resolvedName) {
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := r.lookup(lctx, n.name)
	if err != nil && !isNotFound(err) {
		return
	}
	for i, a := range addrs {
		addrs[i] = a.Unmap()
	}
	n.addrs.Store(&addrs)
	n.resolved.Store(true)
}

func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// Run resolves names as they are registered (or wanted) and refreshes
// all those looked up every interval (libs refreshes every 10 s at
// first), until ctx ends. Each round is bounded by the interval.
func (r *NameResolver) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.added:
			rctx, cancel := context.WithTimeout(ctx, interval)
			r.resolve(rctx, false)
			cancel()
		case <-t.C:
			rctx, cancel := context.WithTimeout(ctx, interval)
			r.resolve(rctx, true)
			cancel()
		}
	}
}

// matches reports whether a is among the current addresses of n.
func (n *resolvedName) matches(a netip.Addr) bool {
	p := n.addrs.Load()
	return p != nil && slices.Contains(*p, a.Unmap())
}

// NameOf returns the first registered name that currently resolves to a.
func (r *NameResolver) NameOf(a netip.Addr) (string, bool) {
	for _, n := range *r.all.Load() {
		if n.matches(a) {
			return n.name, true
		}
	}
	return "", false
}

// nameFields are the fd.*ip.name fields (see IsNameField).
var nameFields = map[string]bool{}

// IsNameField reports whether field is one of the fd.*ip.name fields,
// whose checks compare with DNS names (see [NameResolver.Want]).
func IsNameField(field string) bool { return nameFields[field] }

// nameField registers an fd.*ip.name field over the address get gives.
func nameField(name, desc string, get func(c *Ctx, r fdRef) (netip.Addr, bool)) {
	nameFields[name] = true
	Register(Field{Name: name, Type: event.PTCharbuf, Desc: desc, Bind: func(Arg) (Binding, error) {
		addr := func(c *Ctx) (netip.Addr, bool) {
			r, ok := evFD(c)
			if !ok || r.f == nil || !connection(r.f) {
				// a listening socket's address has no name (libs
				// compares names on connections only)
				return netip.Addr{}, false
			}
			return get(c, r)
		}
		return Binding{
			Extract: func(c *Ctx, v *Value) bool {
				a, ok := addr(c)
				if !ok {
					return false
				}
				s, ok := Names.NameOf(a)
				v.S = s
				return ok
			},
			Match: func(op string, values []string) (func(c *Ctx) bool, error) {
				if op != "=" && op != "!=" && op != "in" {
					// libs' words ("in" is a list of "="s to it)
					return nil, errors.New("fd.*ip.name filter only supports '=' and '!=' operators")
				}
				names := make([]*resolvedName, len(values))
				for i, s := range values {
					names[i] = Names.register(s)
				}
				ne := op == "!="
				return func(c *Ctx) bool {
					a, ok := addr(c)
					if !ok {
						return false
					}
					for _, n := range names {
						if n.matches(a) {
							return !ne
						}
					}
					return ne
				}, nil
			},
		}, nil
	}})
}
