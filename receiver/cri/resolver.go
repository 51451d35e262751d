package cri

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/sakersec/saker/receiver/state"
)

// Bounds of the resolver's own tables; each is cleared when full (the
// state keeps what was delivered, so clearing only costs lookups again).
const (
	maxAsked  = 16384
	maxCached = 8192
	maxPods   = 4096
)

// Stats counts lookups by outcome.
type Stats struct {
	Lookups  uint64 // lookups made (an RPC sequence for one id)
	Resolved uint64 // lookups that gave metadata
	NotFound uint64 // ids the runtime knows neither as container nor sandbox
	Failed   uint64 // lookups that failed otherwise (timeout, runtime down)
	Dropped  uint64 // ids not queued because the queue was full
}

// Resolver looks up containers' metadata off the event loop and hands the
// results to it. See the package documentation for the threading model.
type Resolver struct {
	// c is the runtime; nil while a resolver from NewWaitingResolver
	// waits for one (Want then asks nothing: the runtime's listing covers
	// every container once it comes)
	c    atomic.Pointer[Client]
	opts Options
	log  *slog.Logger
	sync bool

	asked map[string]int64 // event-loop side: id → ns after which it may be asked again

	queue  chan string
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	inflight map[string]bool
	cache    map[string]*state.Container // resolved, by short id
	pods     map[string]*pod             // by full sandbox id
	mailbox  []*state.Container
	pending  atomic.Bool

	lookups, resolved, notFound, failed, dropped atomic.Uint64

	logMu      sync.Mutex
	lastLog    time.Time
	suppressed int
}

// logEvery rate-limits the debug log of failed lookups.
const logEvery = 10 * time.Second

// NewResolver starts the lookup workers over c (which the resolver then
// owns: Close closes it). With sync set (Config.DisableAsync) there are no
// workers and Want looks up on the caller's goroutine. log may be nil.
func NewResolver(c *Client, opts Options, sync bool, log *slog.Logger) *Resolver {
	opts.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Resolver{opts: opts, log: log, sync: sync,
		asked: map[string]int64{}, inflight: map[string]bool{}, cache: map[string]*state.Container{}, pods: map[string]*pod{}}
	r.c.Store(c)
	r.ctx, r.cancel = context.WithCancel(context.Background())
	if !sync {
		r.queue = make(chan string, opts.Queue)
		for range opts.Workers {
			r.wg.Add(1)
			go r.work()
		}
	}
	return r
}

// NewWaitingResolver is NewResolver for a machine whose runtime does
// not answer yet (a node booting, saker started before its runtime): it
// calls dial every opts.RedialEvery until that gives a client, then lists
// the runtime's containers (Bootstrap) into the mailbox, so the event
// loop adds them as it adds lookups, and resolves from then on. Until
// then Want asks nothing. connected, if not nil, is called once with the
// client and what the listing gave (on the dialling goroutine).
func NewWaitingResolver(dial func(ctx context.Context) (*Client, error), opts Options, sync bool, log *slog.Logger,
	connected func(c *Client, listed int, err error)) *Resolver {
	r := NewResolver(nil, opts, sync, log)
	r.wg.Add(1)
	go r.redial(dial, connected)
	return r
}

// redial is NewWaitingResolver's goroutine.
func (r *Resolver) redial(dial func(ctx context.Context) (*Client, error), connected func(*Client, int, error)) {
	defer r.wg.Done()
	t := time.NewTicker(r.opts.RedialEvery)
	defer t.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C:
		}
		c, err := dial(r.ctx)
		if err != nil {
			continue
		}
		r.c.Store(c)
		cs, err := r.Bootstrap(r.ctx)
		r.mu.Lock()
		for _, m := range cs {
			r.post(m)
		}
		r.mu.Unlock()
		if connected != nil {
			connected(c, len(cs), err)
		}
		return
	}
}

// Connected reports whether the resolver has a runtime.
func (r *Resolver) Connected() bool { return r.c.Load() != nil }

// Close stops the workers, waits for them (each is at most one call
// timeout away from noticing) and closes the connection.
func (r *Resolver) Close() error {
	r.cancel()
	r.wg.Wait()
	if c := r.c.Load(); c != nil {
		return c.Close()
	}
	return nil
}

// Stats returns the lookup counters.
func (r *Resolver) Stats() Stats {
	return Stats{Lookups: r.lookups.Load(), Resolved: r.resolved.Load(), NotFound: r.notFound.Load(),
		Failed: r.failed.Load(), Dropped: r.dropped.Load()}
}

// Want asks for the metadata of container id (container.id, 12
// characters) and returns at once. Only the event loop calls it; now is
// the event's time in ns since the epoch. An id asked in the last
// RetryAfter is not asked again, so a missing or failing container costs
// one map lookup per event, not one call per event.
func (r *Resolver) Want(id string, now int64) {
	if until, ok := r.asked[id]; ok && now < until {
		return
	}
	if r.c.Load() == nil {
		return // no runtime yet: its listing will bring id
	}
	if len(r.asked) >= maxAsked {
		clear(r.asked)
	}
	r.asked[id] = now + int64(r.opts.RetryAfter)
	r.mu.Lock()
	if c := r.cache[id]; c != nil { // known, but no longer in the state's table
		r.post(c)
		r.mu.Unlock()
		return
	}
	if r.inflight[id] {
		r.mu.Unlock()
		return
	}
	r.inflight[id] = true
	r.mu.Unlock()
	if r.sync {
		r.lookup(id)
		return
	}
	select {
	case r.queue <- id:
	default:
		r.mu.Lock()
		delete(r.inflight, id)
		r.mu.Unlock()
		r.dropped.Add(1)
		r.debug("CRI lookup queue full, container metadata delayed", "container.id", id)
	}
}

// Pending reports whether results wait in the mailbox: one atomic load,
// cheap enough for every event.
func (r *Resolver) Pending() bool { return r.pending.Load() }

// Drain hands every waiting result to add, on the caller's goroutine (the
// event loop, which owns the state: add is State.AddContainer).
func (r *Resolver) Drain(add func(*state.Container)) {
	if !r.pending.Load() {
		return
	}
	r.mu.Lock()
	box := r.mailbox
	r.mailbox = nil
	r.pending.Store(false)
	r.mu.Unlock()
	for _, c := range box {
		add(c)
	}
}

// post puts c in the mailbox; r.mu is held.
func (r *Resolver) post(c *state.Container) {
	r.mailbox = append(r.mailbox, c)
	r.pending.Store(true)
}

func (r *Resolver) work() {
	defer r.wg.Done()
	for {
		select {
		case <-r.ctx.Done():
			return
		case id := <-r.queue:
			r.lookup(id)
		}
	}
}

// lookup resolves id and posts the result.
func (r *Resolver) lookup(id string) {
	r.lookups.Add(1)
	c, err := r.resolve(id)
	r.mu.Lock()
	delete(r.inflight, id)
	if err == nil {
		r.remember(c)
		r.post(c)
	}
	r.mu.Unlock()
	switch {
	case err == nil:
		r.resolved.Add(1)
	case isNotFound(err):
		r.notFound.Add(1)
		r.debug("CRI: no such container or sandbox", "container.id", id)
	default:
		r.failed.Add(1)
		r.debug("CRI lookup failed", "container.id", id, "err", err)
	}
}

// remember caches c by its short id; r.mu is held.
func (r *Resolver) remember(c *state.Container) {
	if len(r.cache) >= maxCached {
		clear(r.cache)
	}
	r.cache[c.ID] = c
}

// call runs one RPC with the per-call timeout.
func (r *Resolver) call(ctx context.Context, f func(ctx context.Context) error) error {
	cctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	return f(cctx)
}

// resolve asks the runtime about id: as a container (verbose status, then
// its sandbox), else as a sandbox.
func (r *Resolver) resolve(id string) (*state.Container, error) {
	return r.resolveCtx(r.ctx, id)
}

func (r *Resolver) resolveCtx(ctx context.Context, id string) (*state.Container, error) {
	rc := r.c.Load()
	var cs *runtimeapi.ContainerStatusResponse
	err := r.call(ctx, func(ctx context.Context) (err error) {
		cs, err = rc.rs.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id, Verbose: true})
		return err
	})
	if err == nil {
		c, sandbox := fromContainerStatus(rc.Runtime, cs)
		if c.FullID == "" {
			return nil, errors.New("ContainerStatus: answer without an id")
		}
		if sandbox == "" {
			// the info did not say: the list entry does
			_ = r.call(ctx, func(ctx context.Context) error {
				l, err := rc.rs.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{Id: c.FullID}})
				if err == nil && len(l.GetContainers()) > 0 {
					sandbox = l.GetContainers()[0].GetPodSandboxId()
				}
				return err
			})
		}
		if sandbox != "" {
			p, err := r.pod(ctx, sandbox)
			if err != nil {
				return nil, fmt.Errorf("sandbox %s of container %s: %w", sandbox, id, err)
			}
			withPod(c, p)
		}
		c.Render()
		return c, nil
	}
	if !isNotFound(err) {
		return nil, fmt.Errorf("ContainerStatus: %w", err)
	}
	p, err := r.pod(ctx, id)
	if err != nil {
		return nil, err
	}
	c := sandboxContainer(rc.Runtime, p)
	c.Render()
	return c, nil
}

// pod returns the pod of sandbox id, asking the runtime the first time.
func (r *Resolver) pod(ctx context.Context, id string) (*pod, error) {
	r.mu.Lock()
	p := r.pods[id]
	r.mu.Unlock()
	if p != nil {
		return p, nil
	}
	var resp *runtimeapi.PodSandboxStatusResponse
	err := r.call(ctx, func(ctx context.Context) (err error) {
		resp, err = r.c.Load().rs.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: id})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("PodSandboxStatus: %w", err)
	}
	p = fromSandboxStatus(resp)
	if p.sandboxID == "" {
		return nil, errors.New("PodSandboxStatus: answer without an id")
	}
	r.mu.Lock()
	if len(r.pods) >= maxPods {
		clear(r.pods)
	}
	r.pods[p.sandboxID] = p
	r.mu.Unlock()
	return p, nil
}

// Bootstrap lists the sandboxes and containers the runtime has now and
// resolves each, within Options.BootstrapTimeout, so that containers
// already running have their metadata before their first event. It
// returns what it resolved (also cached) for the caller to add to the
// state before the event loop starts; what it could not resolve is looked
// up when its events come.
func (r *Resolver) Bootstrap(ctx context.Context) ([]*state.Container, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.BootstrapTimeout)
	defer cancel()
	rc := r.c.Load()
	if rc == nil {
		return nil, errors.New("CRI bootstrap: no runtime")
	}
	var sbs *runtimeapi.ListPodSandboxResponse
	var cs *runtimeapi.ListContainersResponse
	err := r.call(ctx, func(ctx context.Context) (err error) {
		sbs, err = rc.rs.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
		return err
	})
	if err == nil {
		err = r.call(ctx, func(ctx context.Context) (err error) {
			cs, err = rc.rs.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("CRI bootstrap: %w", err)
	}
	var out []*state.Container
	var errs []error
	ids := make([]string, 0, len(sbs.GetItems())+len(cs.GetContainers()))
	for _, s := range sbs.GetItems() {
		if s.GetState() == runtimeapi.PodSandboxState_SANDBOX_READY {
			ids = append(ids, s.GetId())
		}
	}
	for _, c := range cs.GetContainers() {
		if c.GetState() != runtimeapi.ContainerState_CONTAINER_EXITED {
			ids = append(ids, c.GetId())
		}
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			errs = append(errs, fmt.Errorf("CRI bootstrap: %d of %d containers left unresolved: %w", len(ids)-len(out)-len(errs), len(ids), ctx.Err()))
			break
		}
		r.lookups.Add(1)
		c, err := r.resolveCtx(ctx, id)
		if err != nil {
			r.failed.Add(1)
			errs = append(errs, err)
			continue
		}
		r.resolved.Add(1)
		r.mu.Lock()
		r.remember(c)
		r.mu.Unlock()
		out = append(out, c)
	}
	return out, errors.Join(errs...)
}

// debug logs at debug level, at most once per logEvery; the lines skipped
// in between are counted in the next one.
func (r *Resolver) debug(msg string, args ...any) {
	if !r.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	r.logMu.Lock()
	now := time.Now()
	if now.Sub(r.lastLog) < logEvery {
		r.suppressed++
		r.logMu.Unlock()
		return
	}
	n := r.suppressed
	r.lastLog, r.suppressed = now, 0
	r.logMu.Unlock()
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	r.log.Debug(msg, args...)
}
