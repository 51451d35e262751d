package childtest

import (
	"context"

	"github.com/sakersec/saker/receiver/event"
)

// Watch is the part of a watcher that a [Tree] keeps: the watched root
// process, the threads found to belong to it, and whether its exit was
// seen. Embed it in the suite's watcher type.
type Watch struct {
	root   int64
	tids   []int64
	exited chan struct{}
	closed bool
}

func (w *Watch) watch() *Watch { return w }

// Root is the pid the watch started from.
func (w *Watch) Root() int64 { return w.root }

// Exited is closed when [Watch.NoteExit] sees the root's procexit.
func (w *Watch) Exited() <-chan struct{} { return w.exited }

// NoteExit closes [Watch.Exited] if ev is the procexit of the root thread.
// Call it after the event has been recorded, so that a test woken by
// Exited finds the exit event among the watch's events.
func (w *Watch) NoteExit(ev *event.Event) {
	if ev.Type() == event.ProcexitV1E && ev.Tid() == w.root && !w.closed {
		w.closed = true
		close(w.exited)
	}
}

// Watcher is a pointer to a type that embeds [Watch].
type Watcher interface{ watch() *Watch }

// Tree routes the events of watched processes — and of the threads and
// processes they create — to their watcher. The zero value is ready to
// use. A Tree is not safe for concurrent use: the suite guards it (and
// what its watchers collect) with a mutex of its own.
type Tree[W Watcher] struct {
	byTid map[int64]W
}

// Watch starts watching pid with watcher w and returns w.
func (t *Tree[W]) Watch(pid int, w W) W {
	b := w.watch()
	b.root = int64(pid)
	b.exited = make(chan struct{})
	t.add(w, b.root)
	return w
}

func (t *Tree[W]) add(w W, tid int64) {
	if t.byTid == nil {
		t.byTid = map[int64]W{}
	}
	t.byTid[tid] = w
	b := w.watch()
	b.tids = append(b.tids, tid)
}

// Unwatch stops routing events to w.
func (t *Tree[W]) Unwatch(w W) {
	for _, tid := range w.watch().tids {
		if cur, ok := t.byTid[tid]; ok && cur.watch() == w.watch() {
			delete(t.byTid, tid)
		}
	}
}

// Route returns the watcher ev belongs to, if any. A clone event adds the
// new thread or process to its creator's watcher: from the parent's side
// (res is the new tid) or from the child's side (res 0), which can arrive
// first. There a new process (pid == tid) belongs to its parent's watcher
// (ptid), a new thread to its process's: a thread's ptid is its process's
// parent, not the process.
func (t *Tree[W]) Route(ev *event.Event) (W, bool) {
	tid := ev.Tid()
	w, ok := t.byTid[tid]
	clone := isClone(ev.Type())
	if !ok && clone {
		if res, _ := ev.Int(0); res == 0 {
			ptid, _ := ev.Int(ev.ParamIndex("ptid"))
			pid, _ := ev.Int(ev.ParamIndex("pid"))
			owner := ptid
			if pid != tid {
				owner = pid
			}
			if w, ok = t.byTid[owner]; ok {
				t.add(w, tid)
			}
		}
	}
	if !ok {
		return w, false
	}
	if clone {
		if res, _ := ev.Int(0); res > 0 {
			if _, known := t.byTid[res]; !known {
				t.add(w, res)
			}
		}
	}
	return w, true
}

// isClone reports whether t is the exit of a call that creates a thread or
// a process, in the versions the probe writes.
func isClone(t event.Type) bool {
	switch t {
	case event.SyscallCloneV20X, event.SyscallForkV20X, event.SyscallVforkV20X, event.SyscallClone3X:
		return true
	}
	return false
}

// Loop runs a probe's read loop on a goroutine of its own.
type Loop struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// StartLoop calls run(ctx, handle) on a new goroutine until [Loop.Stop].
// run is a probe's Run method (receiver/ebpf's Probe.Run), a function
// value so that this package need not import receiver/ebpf.
func StartLoop(run func(context.Context, func(*event.Event)) error, handle func(*event.Event)) *Loop {
	ctx, cancel := context.WithCancel(context.Background())
	l := &Loop{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		run(ctx, handle)
	}()
	return l
}

// Stop ends the loop and waits for run to return.
func (l *Loop) Stop() {
	l.cancel()
	<-l.done
}
