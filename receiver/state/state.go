package state

import (
	"encoding/binary"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

// Defaults, as Falco's falco_libs settings.
const (
	DefaultMaxThreads    = 262144            // thread_table_size
	DefaultPurgeInterval = 300 * time.Second // thread_table_auto_purging_interval_s
	DefaultThreadTimeout = 300 * time.Second // thread_table_auto_purging_thread_timeout_s
	defaultInternSize    = 1 << 16
)

// Config sets the table bounds. The zero value means Falco's defaults and
// replay mode.
type Config struct {
	// MaxThreads bounds the thread table; a thread that would exceed it
	// is not added (Stats.DropsFullThreadTable).
	MaxThreads int
	// PurgeInterval is how often (in event time) threads that saw no
	// event for ThreadTimeout are removed; negative disables purging.
	PurgeInterval time.Duration
	ThreadTimeout time.Duration
	// ProcFS is the procfs mount for live mode ("/proc"): an event from
	// an unknown thread loads it from there, and purging keeps threads
	// that are still alive. Empty for replay: unknown threads become
	// placeholders (Thread.Invalid).
	ProcFS string
	// InternSize bounds the table of interned fd names.
	InternSize int
}

func (c *Config) defaults() {
	if c.MaxThreads <= 0 {
		c.MaxThreads = DefaultMaxThreads
	}
	if c.PurgeInterval == 0 {
		c.PurgeInterval = DefaultPurgeInterval
	}
	if c.ThreadTimeout <= 0 {
		c.ThreadTimeout = DefaultThreadTimeout
	}
	if c.InternSize <= 0 {
		c.InternSize = defaultInternSize
	}
}

// Stats are the state counters, named after libsinsp's (scap.n_threads,
// scap.n_fds, scap.n_*_lookups, ...). Threads and FDs are gauges, the
// rest counters.
type Stats struct {
	Threads                uint64 // n_threads
	FDs                    uint64 // n_fds
	NoncachedThreadLookups uint64 // n_noncached_thread_lookups
	CachedThreadLookups    uint64 // n_cached_thread_lookups
	FailedThreadLookups    uint64 // n_failed_thread_lookups
	AddedThreads           uint64 // n_added_threads
	RemovedThreads         uint64 // n_removed_threads
	DropsFullThreadTable   uint64 // n_drops_full_threadtable
	NoncachedFDLookups     uint64 // n_noncached_fd_lookups
	CachedFDLookups        uint64 // n_cached_fd_lookups
	FailedFDLookups        uint64 // n_failed_fd_lookups
	AddedFDs               uint64 // n_added_fds
	RemovedFDs             uint64 // n_removed_fds
	PurgedThreads          uint64 // removed by the inactivity purge (included in RemovedThreads)
}

// threadCacheSize is the size of the direct-mapped cache in front of
// the thread map (events of a few hundred busy threads interleave; a map
// lookup costs several cache misses, a cache hit one).
const threadCacheSize = 256

type tcacheEntry struct {
	tid    int64
	t      *Thread
	absent bool // tid is not in the table (t is nil)
}

// statsPublishEvery is how many updates pass between copies of the
// counters to the snapshot that Stats reads.
const statsPublishEvery = 256

// State is the thread, fd, user and container state of one event stream.
// It is not safe for concurrent use: one goroutine calls Update for every
// event and reads the state between updates. Only Stats may be called
// from other goroutines.
type State struct {
	cfg     Config
	threads map[int64]*Thread
	users   Users
	// containerUsers are the user tables of containers by container id;
	// nil entries mark containers whose /etc could not be read.
	containerUsers map[string]*Users
	// containers is the container metadata of container events, by id.
	containers map[string]*Container
	// ifaces is the machine's interface list (see netif.go).
	ifaces []scap.Interface
	intern interner

	// the event being processed
	cur           *Thread
	curFD         *FD
	curFDNum      int64
	nameChanged   bool
	lastTid       int64
	lastThread    *Thread
	tcache        [threadCacheSize]tcacheEntry
	pendingThread *Thread
	pendingReaper int64
	pendingFDG    *group
	pendingFD     int64

	enterEv   enterMemo
	lastTS    uint64
	startTS   uint64
	nextPurge uint64
	scratch   []byte

	stats     Stats
	nupdates  uint32
	published [14]atomic.Uint64
}

// New returns an empty state.
func New(cfg Config) *State {
	cfg.defaults()
	s := &State{
		cfg:      cfg,
		threads:  make(map[int64]*Thread, 1024),
		intern:   newInterner(cfg.InternSize),
		lastTid:  -1,
		curFDNum: -1,
		scratch:  make([]byte, 0, 2*maxPath),
	}
	s.users.init()
	return s
}

// Len returns the number of threads in the table (dead main threads kept
// for their group included).
func (s *State) Len() int { return len(s.threads) }

// Thread returns the thread tid, or nil. It does not count as a lookup
// and never loads from /proc.
func (s *State) Thread(tid int64) *Thread { return s.threads[tid] }

// Threads calls fn for every thread until fn returns false. Order is
// unspecified.
func (s *State) Threads(fn func(*Thread) bool) {
	for _, t := range s.threads {
		if !fn(t) {
			return
		}
	}
}

// Parent returns t's parent thread (the thread Ptid names), or nil.
func (s *State) Parent(t *Thread) *Thread {
	if t == nil || t.Ptid <= 0 || t.Ptid == t.Tid {
		return nil
	}
	return s.threads[t.Ptid]
}

// MaxAncestors bounds ancestor walks (proc.aname, proc.apid): a corrupt or
// cyclic parent chain cannot loop.
const MaxAncestors = 256

// Ancestor returns t's n-th ancestor (1 = parent, 2 = grandparent, ...),
// starting from t's main thread as libs does, or nil.
func (s *State) Ancestor(t *Thread, n int) *Thread {
	if t == nil || n < 0 {
		return nil
	}
	a := t.Main()
	for i := 0; i < n && a != nil; i++ {
		if i >= MaxAncestors {
			return nil
		}
		a = s.Parent(a)
	}
	return a
}

// Ancestors calls fn with t's parent, grandparent, ... (starting from t's
// main thread) until fn returns false, the chain ends, it loops, or
// MaxAncestors is reached. It allocates nothing.
func (s *State) Ancestors(t *Thread, fn func(depth int, a *Thread) bool) {
	if t == nil {
		return
	}
	start := t.Main()
	slow := start
	a := start
	for depth := 1; depth <= MaxAncestors; depth++ {
		a = s.Parent(a)
		if a == nil || a == start {
			return
		}
		if !fn(depth, a) {
			return
		}
		// Floyd: the slow pointer moves every other step; meeting it
		// means the chain is a cycle.
		if depth%2 == 0 {
			slow = s.Parent(slow)
			if slow == a {
				return
			}
		}
	}
}

// EventThread returns the thread of the event last passed to Update, or
// nil for events without a thread (tid <= 0) or when the thread table is
// full.
func (s *State) EventThread() *Thread { return s.cur }

// EventFD returns the fd of the event last passed to Update, or nil, and
// its number (-1 when the event has none). See the package doc for which
// fd an event has. For a close, the fd is still returned (its removal
// happens at the next Update).
func (s *State) EventFD() (*FD, int64) { return s.curFD, s.curFDNum }

// FDNameChanged reports whether the last event changed its fd's name
// (fd.name_changed: a UDP socket's peer, for instance).
func (s *State) FDNameChanged() bool { return s.nameChanged }

// Users returns the host's user and group tables.
func (s *State) Users() *Users { return &s.users }

// maxContainerUserTables bounds how many containers' user tables are kept.
const maxContainerUserTables = 4096

// UsersOf returns the user and group tables that name t's ids: the host's
// for a host thread; for a thread in a container, the container's — read
// from its /etc (through /proc/<pid>/root) the first time the container is
// met in live mode, or filled by user/group events carrying the container
// id in replay. A container whose tables are unknown gets an empty table,
// so its ids render as libs renders unknown ids ("root" for 0, else
// "<NA>"), never as the host's names.
func (s *State) UsersOf(t *Thread) *Users {
	if t == nil || !t.InContainer() || t.ContainerID == "" {
		return &s.users
	}
	if u, ok := s.containerUsers[t.ContainerID]; ok {
		if u != nil {
			return u
		}
		return &emptyUsers
	}
	if len(s.containerUsers) >= maxContainerUserTables {
		clear(s.containerUsers)
	}
	var u *Users
	if s.cfg.ProcFS != "" && t.Pid > 0 {
		u = new(Users)
		u.init()
		root := filepath.Join(s.cfg.ProcFS, strconv.FormatInt(t.Pid, 10), "root")
		if err := u.LoadEtc(root); err != nil || u.NumUsers() == 0 && u.NumGroups() == 0 {
			u = nil
		}
	}
	if s.containerUsers == nil {
		s.containerUsers = make(map[string]*Users)
	}
	s.containerUsers[t.ContainerID] = u
	if u == nil {
		return &emptyUsers
	}
	return u
}

// containerTable returns (making it) the table of a container id from a
// user/group event.
func (s *State) containerTable(id string) *Users {
	if id == "" || id == hostID {
		return &s.users
	}
	if u := s.containerUsers[id]; u != nil {
		return u
	}
	if s.containerUsers == nil {
		s.containerUsers = make(map[string]*Users)
	}
	u := new(Users)
	u.init()
	s.containerUsers[strings.Clone(id)] = u
	return u
}

// emptyUsers is the table of containers with unknown users.
var emptyUsers = Users{users: map[uint32]*User{}, groups: map[uint32]*Group{}}

// Stats returns the counters as of the last publication (every 256
// updates, and at PublishStats). Safe from any goroutine.
func (s *State) Stats() Stats {
	var st Stats
	p := &s.published
	st.Threads = p[0].Load()
	st.FDs = p[1].Load()
	st.NoncachedThreadLookups = p[2].Load()
	st.CachedThreadLookups = p[3].Load()
	st.FailedThreadLookups = p[4].Load()
	st.AddedThreads = p[5].Load()
	st.RemovedThreads = p[6].Load()
	st.DropsFullThreadTable = p[7].Load()
	st.NoncachedFDLookups = p[8].Load()
	st.CachedFDLookups = p[9].Load()
	st.FailedFDLookups = p[10].Load()
	st.AddedFDs = p[11].Load()
	st.RemovedFDs = p[12].Load()
	st.PurgedThreads = p[13].Load()
	return st
}

// PublishStats makes the current counters visible to Stats. Update does
// it periodically; call it on the event goroutine at the end of a stream.
func (s *State) PublishStats() {
	st := &s.stats
	st.Threads = uint64(len(s.threads))
	p := &s.published
	p[0].Store(st.Threads)
	p[1].Store(st.FDs)
	p[2].Store(st.NoncachedThreadLookups)
	p[3].Store(st.CachedThreadLookups)
	p[4].Store(st.FailedThreadLookups)
	p[5].Store(st.AddedThreads)
	p[6].Store(st.RemovedThreads)
	p[7].Store(st.DropsFullThreadTable)
	p[8].Store(st.NoncachedFDLookups)
	p[9].Store(st.CachedFDLookups)
	p[10].Store(st.FailedFDLookups)
	p[11].Store(st.AddedFDs)
	p[12].Store(st.RemovedFDs)
	p[13].Store(st.PurgedThreads)
}

// Update applies one event to the state and makes it the current event
// for EventThread/EventFD. Call it for every event, in order, before the
// event's fields are read; state-keeping events must never be skipped.
// It allocates nothing for events that do not create threads or new
// names (reads, writes, closes, opens of paths seen before, ...).
func (s *State) Update(e *event.Event) {
	if s.pendingFDG != nil || s.pendingThread != nil {
		s.applyPending()
	}
	s.cur, s.curFD, s.curFDNum, s.nameChanged = nil, nil, -1, false

	ts := e.Timestamp()
	if ts > s.lastTS {
		s.lastTS = ts
	}
	typ := e.Type()
	if !typ.Valid() {
		return
	}
	v := ev{e: e, idx: &paramIdx[typ]}
	k := kinds[typ]
	tf := typeFlags[typ]

	if p := plans[typ]; p != planGeneral {
		// the two commonest kinds of event on a path of their own:
		// fewer branches on the type, which the events' mix makes
		// hard to predict
		if tid := e.Tid(); tid > 0 {
			if t := s.lookupEventThread(tid, k, v, tf); t != nil {
				s.cur = t
				t.lastAccess = ts
				if p == planSwitch {
					s.vmParams(t, v)
				}
			}
		}
		s.updated(ts)
		return
	}

	if tid := e.Tid(); tid > 0 {
		s.cur = s.lookupEventThread(tid, k, v, tf)
	}

	if t := s.cur; t != nil {
		t.lastAccess = ts
		if tf&tfEnter != 0 {
			// libs forgets the last enter event's fd at every enter
			// event (an enter without an fd leaves -1): an old exit
			// without parameters, whose enter had none either, has no
			// fd rather than one from an earlier call
			if tf&tfResetFD != 0 {
				t.lastFD = -1
			}
			if tf&tfKeepEnter != 0 && e.NumParams() > 0 {
				if tf&tfEnterUsed != 0 {
					t.enter = append(t.enter[:0], e.Raw()...)
				} else {
					// nothing reads this enter event: its exit's handler
					// is none (see tfEnterUsed); only forget the previous
					t.enter = t.enter[:0]
				}
			}
		} else if len(t.enter) >= event.HeaderSize && event.Type(binary.LittleEndian.Uint16(t.enter[20:])) == typ-1 {
			m := &s.enterEv
			m.raw, m.idx, m.parsed = t.enter, &paramIdx[typ-1], 0
			v.enter = m
		}
	}

	if k != kNone {
		s.dispatch(k, v, typ)
	}

	if s.curFDNum < 0 && tf&tfUsesFd != 0 {
		s.findEventFD(v, typ)
	}
	s.updated(ts)
}

// updated ends Update: the counters are published every
// statsPublishEvery events, and threads are purged every PurgeInterval
// (periodic). Small enough to be inlined into Update.
func (s *State) updated(ts uint64) {
	s.nupdates++
	if s.nupdates%statsPublishEvery == 0 || ts >= s.nextPurge {
		s.periodic(ts)
	}
}

// periodic is updated's rare part.
func (s *State) periodic(ts uint64) {
	if s.nupdates%statsPublishEvery == 0 {
		s.PublishStats()
	}
	if ts < s.nextPurge || ts == 0 {
		return
	}
	if s.cfg.PurgeInterval <= 0 {
		s.nextPurge = math.MaxUint64 // no purging: never again
		return
	}
	if s.nextPurge == 0 {
		// the first timestamped event: threads loaded before it count
		// as seen then (meta events at the start of old captures
		// carry ts 0)
		s.startTS = ts
	} else {
		s.purge(ts)
	}
	s.nextPurge = ts + uint64(s.cfg.PurgeInterval)
}

// Update's paths by event type (plans).
const (
	planGeneral = iota
	// planBare: a syscall exit event with no handler and no fd (most
	// waits, clock and signal calls): only its thread is looked up
	planBare
	// planSwitch: a context switch: its thread takes the memory and
	// page-fault counters
	planSwitch
)

// plans[t] is the path Update takes for type t. Filled by initTypeFlags.
var plans [event.MaxType]uint8

// typeFlags[t] has what Update asks about every event's type, a byte
// per type instead of the type's table entry. Filled by initTypeFlags
// from dispatch.go's init, once kinds is.
var typeFlags [event.MaxType]uint8

func initTypeFlags() {
	f := &typeFlags
	for t := event.Type(0); t < event.MaxType; t++ {
		info := t.Info()
		if info.Dir == event.Enter {
			f[t] |= tfEnter
			// scheduler switches are enter events too, but do not
			// reset it (sysdig 0.29 skips their reset; the table of
			// current libs no longer flags SCHEDSWITCH_6_E so)
			if info.Flags&event.FlagSkipparsereset == 0 && info.Category&event.CatSyscall != 0 {
				f[t] |= tfResetFD
			}
			if info.Category&event.CatSyscall != 0 && len(info.Params) > 0 {
				f[t] |= tfKeepEnter
				if t+1 < event.MaxType && kinds[t+1] != kNone {
					f[t] |= tfEnterUsed
				}
			}
		}
		if info.Flags&event.FlagUsesFd != 0 {
			f[t] |= tfUsesFd
		}
		if info.Category&event.CatSyscall != 0 {
			f[t] |= tfSyscall
		}
		switch {
		case info.Dir == event.Exit && f[t] == tfSyscall && kinds[t] == kNone:
			plans[t] = planBare
		case info.Dir == event.Enter && f[t] == tfEnter && kinds[t] == kVM:
			plans[t] = planSwitch
		}
	}
}

const (
	tfEnter     = 1 << iota // an enter event
	tfKeepEnter             // a syscall enter event with parameters: the thread's last enter event
	tfEnterUsed             // ... and its exit type has a handler that may read it
	tfUsesFd                // EF_USES_FD
	tfSyscall               // EC_SYSCALL
	tfResetFD               // a syscall enter event libs' parser resets: it sets the thread's last fd (-1 without one)
)

// lookupEventThread finds the event's thread, counting the lookup; an
// unknown thread is loaded from /proc (live) or becomes a placeholder
// (replay), except for events that create or end the thread themselves.
func (s *State) lookupEventThread(tid int64, k kind, v ev, tf uint8) *Thread {
	if tid == s.lastTid && s.lastThread != nil {
		s.stats.CachedThreadLookups++
		return s.lastThread
	}
	c := &s.tcache[uint64(tid)%threadCacheSize]
	if c.tid == tid && c.t != nil {
		s.stats.CachedThreadLookups++
		s.lastTid, s.lastThread = tid, c.t
		return c.t
	}
	s.stats.NoncachedThreadLookups++
	var t *Thread
	if c.tid != tid || !c.absent {
		t = s.threads[tid]
	}
	if t == nil {
		s.stats.FailedThreadLookups++
		switch k {
		case kProcexit:
			return nil
		case kClone:
			if res, ok := v.int(pRes); ok && res == 0 {
				return nil // the child's own clone exit creates it
			}
		}
		if tf&tfSyscall == 0 {
			// scheduler and meta events do not make threads; remember
			// the tid is absent (insert forgets it) so the next such
			// event skips the map (still counted as a failed lookup)
			c.tid, c.t, c.absent = tid, nil, true
			return nil
		}
		t = s.loadMissing(tid)
	}
	s.lastTid, s.lastThread = tid, t
	if t != nil {
		c.tid, c.t, c.absent = tid, t, false
	}
	return t
}

// findEventFD resolves the event's fd for events whose handler did not
// set it: the fd parameter of EF_USES_FD events, or, for old exit events
// that lack it, the fd of the thread's last enter event.
func (s *State) findEventFD(v ev, typ event.Type) {
	t := s.cur
	if t == nil {
		return
	}
	info := typ.Info()
	if info.Flags&event.FlagUsesFd == 0 {
		return
	}
	num := int64(-1)
	if i := eventFDIdx[typ]; i >= 0 && v.e.Has(int(i)) {
		num, _ = v.e.Int(int(i))
		if info.Dir == event.Enter {
			t.lastFD = num
		}
	} else if info.Dir == event.Exit {
		num = t.lastFD
	}
	if num = normFD(num); num < 0 {
		return
	}
	s.curFDNum = num
	s.curFD = s.lookupFD(t, num)
}

// lookupFD returns fd num of t's process, counting the lookup.
func (s *State) lookupFD(t *Thread, num int64) *FD {
	if t.g == nil {
		return nil
	}
	tab := t.g.fds
	if num == tab.lastLookup {
		s.stats.CachedFDLookups++
	} else {
		s.stats.NoncachedFDLookups++
		tab.lastLookup = num
	}
	f := tab.Get(num)
	if f == nil {
		s.stats.FailedFDLookups++
	}
	return f
}

// applyPending performs the removals the previous event scheduled: libs
// removes a closed fd and an exited thread only after the closing event
// has been evaluated, so its fields still resolve.
func (s *State) applyPending() {
	if s.pendingFDG != nil {
		if s.pendingFDG.fds.remove(s.pendingFD) {
			s.stats.RemovedFDs++
			s.stats.FDs--
		}
		s.pendingFDG = nil
	}
	if t := s.pendingThread; t != nil {
		s.pendingThread = nil
		s.removeThread(t, s.pendingReaper)
	}
}
