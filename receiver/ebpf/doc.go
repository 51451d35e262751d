// Package ebpf is saker's live event source: it loads the kernel programs
// of package bpf, configures what they trace, attaches them, and reads the
// events they write — scap-layout bytes — as event.Event views.
//
// # Lifecycle
//
//	sel := ebpf.SelectSyscalls(ruleNames, ebpf.BaseSyscalls{})       // Falco's base_syscalls
//	p, err := ebpf.Open(ebpf.Config{Syscalls: sel.Names})            // load + attach
//	go p.Run(ctx, func(ev *event.Event) { ... })                     // one goroutine
//	p.SetSamplingRatio(4)                                            // any time
//	st, _ := p.Stats()                                               // any time
//	p.Close()                                                        // detach, wait for Run
//
// Open fails with a *LoadError that names the missing capability (CAP_BPF
// and CAP_PERFMON, or root) or kernel feature (BTF, ring buffer, tp_btf,
// lockdown) when the programs cannot be loaded. Events flow into the rings
// from Open on; Run delivers them until ctx is done or Close is called.
//
// # Reading
//
// Each CPU has its own BPF ring buffer (an ARRAY_OF_MAPS of RINGBUF, sized
// by Config.RingSize), so producers on different CPUs never share a lock or
// a cache line. Run maps every ring and consumes them itself instead of
// using cilium/ebpf's ringbuf.Reader: it reads the producer position only
// when it has caught up with it, hands consumed space back to the kernel
// once per batch (Config.Batch events) rather than per event, and sleeps
// when all rings are empty (the programs write with BPF_RB_NO_WAKEUP: no
// wakeup per event): Config.PollInterval after a poll that found events,
// doubling up to Config.MaxPoll while the rings stay empty, as libscap's
// empty-buffer wait does. The per-record reader costs
// 200-350 ns per event on this machine in cache-line ping-pong with the
// producer (notes/perf.md §4); this one costs under ~100 ns of reader CPU.
//
// Across rings Run merges by timestamp, as Falco's modern probe does: it
// always delivers the oldest of the records at the heads of the rings. A
// record still being written on another CPU, or written after the reader
// looked, can arrive after a younger one; the order is exact within a CPU.
//
// Events are delivered without copying: the *event.Event passed to the
// callback points into the mapped ring and is reused; it and every string
// or slice it returns are valid only until the callback returns. The
// callback runs on Run's goroutine and must not call Close.
//
// # What is traced
//
// The interesting set is a list of names: syscalls with a program of their
// own (Supported: their events have a type of their own), "procexit", and
// syscalls without an event type (Generic: truncate, setfsuid, fsopen,
// fchmodat2, ... written as PPME_GENERIC_X with the syscall's PPM_SC code
// and x86_64 number, as Falco's modern probe writes them). SelectSyscalls
// computes it from the names the loaded rules use and a BaseSyscalls
// configuration with Falco's base_syscalls semantics (custom_set with
// !removals, repair, all — all includes every generic syscall). As in
// Falco, the high-volume I/O calls of IgnoredIO (read, write, pread, ...,
// sendfile) are left out when only rules name them: all or custom_set
// enables them, and Selection.Ignored says which rules' names were left
// out. SetSyscalls changes the set at run time. Syscalls outside the set cost one
// array lookup in the kernel. saker's own process is never traced.
//
// Rules on a generic syscall are indexed by the engine under the generic
// event types, which name no syscall: the caller passes the syscall names
// those rules' evt.type checks gave (SelectSyscallsForTypes takes them
// beside the event types, and ignores GenericE/GenericX themselves).
//
// Kernel sampling (SetSamplingRatio) keeps the first 1/R of every second of
// non-state syscalls and writes DROP_E/DROP_X events around the drop
// windows; state-keeping syscalls are never dropped. See package bpf for
// the details and the event table.
//
// # Counting
//
// Stats reads the kernel's per-CPU counters on demand — events written,
// lost because a ring was full (by Falco's categories), lost for scratch or
// size reasons, sampled away, parameters left empty — plus what Run
// received and failed to decode. RingFill reports how full each ring is,
// for an adaptive sampling controller.
//
// # What the state tracker must know
//
// Clone-family events arrive twice: from the parent (res = child tid) and
// from the child (res = 0, its own tid/pid/ptid), the child's possibly
// first. A successful execve is one event from the new program (res = 0,
// filename from the kernel); the exe/args/env of a failed one come from the
// caller's arguments. procexit comes for every thread. cwd in clone/execve
// events is the task's working directory relative to its root (libs'
// state does not need it: a new task has its creator's). The child's
// clone3 flags come from its task, not from the creator's clone_args (see
// package bpf). Threads that started before Open are only known from
// /proc.
package ebpf
