package state

// Thread table maintenance: insertion with the table bound, removal with
// libs' reparenting, placeholders, and the inactivity purge.

// cloneWindow is how far apart (ns) the parent's and the child's clone
// exit may be for the second one to be taken as the same clone rather
// than a reused tid.
const cloneWindow = 2_000_000_000

func newGroup(pid int64) *group { return &group{pid: pid, fds: newFDTable()} }

// insert adds t (with t.g set) to the table. It returns false, and counts
// a drop, when the table is full.
func (s *State) insert(t *Thread) bool {
	if old := s.threads[t.Tid]; old != nil {
		s.evict(old)
	}
	if len(s.threads) >= s.cfg.MaxThreads {
		s.stats.DropsFullThreadTable++
		return false
	}
	s.threads[t.Tid] = t
	if c := &s.tcache[uint64(t.Tid)%threadCacheSize]; c.tid == t.Tid {
		*c = tcacheEntry{} // it may say the tid is absent
	}
	s.stats.AddedThreads++
	g := t.g
	if g.nthreads == 0 {
		s.stats.FDs += uint64(g.fds.n)
	}
	g.nthreads++
	if t.Tid == g.pid {
		g.main = t
	}
	if p := s.Parent(t); p != nil {
		p.children = append(p.children, t)
	}
	if t.ContainerID == "" {
		t.ContainerID = hostID
	}
	return true
}

// evict drops an entry whose tid is being reused (its exit was never
// seen) without reparenting anything to it.
func (s *State) evict(t *Thread) {
	if !t.dead {
		s.removeThread(t, 0)
	}
	if s.threads[t.Tid] == t {
		s.deleteThread(t)
	}
}

func (s *State) deleteThread(t *Thread) {
	delete(s.threads, t.Tid)
	s.stats.RemovedThreads++
	if c := &s.tcache[uint64(t.Tid)%threadCacheSize]; c.t == t {
		*c = tcacheEntry{}
	}
	if s.lastThread == t {
		s.lastThread, s.lastTid = nil, -1
	}
	if s.pendingThread == t {
		s.pendingThread = nil
	}
}

// removeThread handles a thread's exit: its children move to a reaper
// (reaperTid if the kernel reported one, else a live thread of the same
// process, else the nearest ancestor that is a subreaper or a namespace
// init; with none their Ptid becomes 0), and the entry leaves the table —
// except a main thread whose process still has live threads, which stays
// (dead) so the process's shared state and pid lookups keep working.
func (s *State) removeThread(t *Thread, reaperTid int64) {
	if t.dead || s.threads[t.Tid] != t {
		return
	}
	t.dead = true
	g := t.g
	g.nthreads--
	if len(t.children) > 0 {
		r := s.findReaper(t, reaperTid)
		for _, c := range t.children {
			if c.Ptid != t.Tid || s.threads[c.Tid] != c {
				continue
			}
			if r != nil {
				c.Ptid = r.Tid
				r.children = append(r.children, c)
			} else {
				c.Ptid = 0
			}
		}
		t.children = nil
	}
	s.unlinkChild(t)
	if t == g.main && g.nthreads > 0 {
		return
	}
	s.deleteThread(t)
	if g.nthreads == 0 {
		if m := g.main; m != nil && m != t && s.threads[m.Tid] == m {
			s.deleteThread(m)
		}
		s.stats.FDs -= uint64(g.fds.n)
	}
}

// unlinkChild removes t from its parent's children.
func (s *State) unlinkChild(t *Thread) {
	p := s.Parent(t)
	if p == nil {
		return
	}
	for i, c := range p.children {
		if c == t {
			last := len(p.children) - 1
			p.children[i] = p.children[last]
			p.children[last] = nil
			p.children = p.children[:last]
			return
		}
	}
}

func (s *State) findReaper(t *Thread, reaperTid int64) *Thread {
	if reaperTid > 0 && reaperTid != t.Tid {
		if r := s.threads[reaperTid]; r != nil && !r.dead && !r.invalid {
			return r
		}
	}
	if t.g.nthreads > 0 {
		// another live thread of the same process
		for _, c := range s.groupThreads(t.g) {
			if c != t && !c.dead {
				return c
			}
		}
	}
	var found *Thread
	s.Ancestors(t, func(_ int, a *Thread) bool {
		if a.dead || a == t {
			return true
		}
		if a.IsSubreaper() || a.Main().Vpid == 1 || a.Pid == 1 {
			found = a
			return false
		}
		return true
	})
	return found
}

// groupThreads returns the threads of g in the table. It scans the whole
// table: it is only needed when a thread with children exits while its
// process lives on, which is rare enough not to keep member lists.
func (s *State) groupThreads(g *group) []*Thread {
	var out []*Thread
	for _, t := range s.threads {
		if t.g == g {
			out = append(out, t)
		}
	}
	return out
}

// placeholder makes the entry for an event from a thread saker has not
// seen created (libs' invalid threadinfo): pid = tid, ptid -1, comm
// "<NA>", other ids -1 (unknown).
func (s *State) placeholder(tid int64) *Thread {
	t := &Thread{
		Tid: tid, Pid: tid, Ptid: -1, Comm: "<NA>", Exe: "<NA>",
		Sid: -1, Pgid: -1, Vpgid: -1, Vtid: -1, Vpid: -1,
		UID: noID, GID: noID, LoginUID: noID,
		invalid: true, origin: originPlaceholder, ContainerID: hostID,
		g: newGroup(tid),
	}
	if !s.insert(t) {
		return nil
	}
	return t
}

// loadMissing makes the entry for an unknown thread: from /proc in live
// mode, else a placeholder.
func (s *State) loadMissing(tid int64) *Thread {
	if s.cfg.ProcFS != "" {
		if t := s.loadProcThread(tid); t != nil {
			return t
		}
	}
	return s.placeholder(tid)
}

// purge removes threads that had no event for ThreadTimeout (in live
// mode only those whose /proc entry is gone), like libs'
// remove_inactive_threads.
func (s *State) purge(now uint64) {
	timeout := uint64(s.cfg.ThreadTimeout)
	for _, t := range s.threads {
		if t.dead || max(t.lastAccess, s.startTS)+timeout > now {
			continue
		}
		if s.cfg.ProcFS != "" && !t.invalid && s.procAlive(t) {
			t.lastAccess = now
			continue
		}
		if s.threads[t.Tid] != t {
			continue
		}
		s.removeThread(t, 0)
		s.stats.PurgedThreads++
	}
}
