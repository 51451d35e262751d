// Package state keeps what Falco's proc.*, thread.*, fd.*, user.*,
// group.* and container.* fields are read from: the threads and processes
// of the host, the fds of each process, the users and groups, and each
// thread's container id. It is saker's libsinsp thread/fd manager, fed by
// the same events.
//
// # Lifecycle
//
// [New] makes an empty [State]. Fill it once:
//
//   - live: [State.LoadProc]("/proc") reads every process, thread and fd
//     (sockets are resolved through /proc/<pid>/net/{tcp,tcp6,udp,udp6,
//     raw,raw6,icmp,icmp6,unix,netlink} of each network namespace), and
//     [Users.LoadEtc]("/") the users and groups; set Config.ProcFS so
//     threads met later are read from /proc too;
//   - replay: [State.LoadCapture] with the capture's metadata (PL, FDL and
//     UL blocks from package scap). Connected IPv4 sockets of a capture's
//     fd lists are oriented client->server by the ports some process
//     listens on, as libs does.
//
// Then call [State.Update] for every event, in order, before anything
// reads the event's fields. Update is the only writer. State-keeping events
// (clone, execve, procexit, open, close, dup, socket, connect, ...) must
// never be sampled away: a missed clone or close leaves the tables wrong
// for the rest of the run. [State.Snapshot] turns the tables back into
// capture records (saker record writes them as PL/FDL/UL blocks); by
// default it writes fd kinds sysdig 0.29 does not know as "unsupported"
// and bounds args/env/cgroups/paths as libscap does, so sysdig reads the
// file ([SnapshotOptions]).
//
// Update follows exit events, which carry the outcome (the kernel side
// sends exit events of the newest versions with every parameter). Every
// parameter is found by name through a per-type index built at init, so
// older versions (EXECVE_8_X … EXECVE_19_X, the 4-parameter OPEN_X of old
// captures) are read where they have the parameter and treated as absent
// where they do not. Old captures also carry enter events: Update keeps
// each thread's last one (a reused per-thread buffer; copied only when
// its exit type has a handler, the only reader — other enter events just
// empty it) and reads a parameter the matching exit event lacks from it —
// the old OPENAT_X has only the fd, its path is in OPENAT_E — and the
// last enter event's fd (0 before any, libs' default; -1 after a syscall
// enter event without one, as libs resets it) is the fd of an old exit
// event without one. Streams converted by package scap, and live
// streams, never need either; live streams have no enter events to copy.
//
// # Reading the state
//
// [State.EventThread] is the current event's thread; [State.EventFD] its
// fd; [State.Thread] looks up any tid; [State.Parent], [State.Ancestor]
// and [State.Ancestors] walk the parent chain (proc.pname, proc.aname[N],
// proc.apid[N]; bounded by [MaxAncestors], loops detected);
// [State.UsersOf] gives the user/group table that names a thread's ids
// (the host's, or its container's) with Falco's rendering of unknown ids
// ([Users.UserName]: "root" for 0, "<NA>" otherwise). All of these are
// allocation-free map/slice reads. [Thread] and [FD] are plain structs
// whose fields are read directly; Thread.AppendCmdline/AppendArgs/
// AppendEnv build proc.cmdline/proc.args/proc.env into a caller buffer.
//
// A *Thread or *FD is valid until the next Update: keep values, not
// pointers. Strings and slices inside them are immutable (updates replace
// them), so keeping a string is safe.
//
// # Which fd is the event's fd
//
// As libs decides it (the fd whose fields fd.* render):
//
//   - events that create an fd (open family, creat, socket, accept,
//     eventfd, signalfd, timerfd, inotify, epoll_create, memfd_create,
//     userfaultfd, io_uring_setup, pidfd_open/getfd, bpf that returns an
//     fd): the new fd (parameter 0), once created; nothing if the call
//     failed. pipe/pipe2 and socketpair create two: the event's fd is the
//     second (fd2), the last one made, as in libs.
//   - events flagged EF_USES_FD: the fd named by their "fd" parameter, or
//     for dup/dup2/dup3 "oldfd", sendfile "out_fd", copy_file_range
//     "fdout", splice "fd_in"; for an old exit event without that
//     parameter, the fd of the thread's preceding enter event.
//   - close: the fd being closed. It is removed from the table only at the
//     next Update, so the close event's fd.* fields still resolve — and an
//     exited thread likewise stays until the event after its procexit.
//
// execve closes the process's close-on-exec fds, as the kernel does. The
// flag is followed wherever an event sets or clears it: open-family and
// socket flags, dup3 and F_DUPFD_CLOEXEC, fcntl(F_SETFD),
// ioctl(FIOCLEX/FIONCLEX) when ioctl events are captured,
// epoll_create1(EPOLL_CLOEXEC), and the fd kinds the kernel always makes
// close-on-exec (pidfd, io_uring, bpf); fds read from /proc carry it from
// fdinfo. (sysdig 0.29 keeps them across execve.)
//
// EventFD returns the fd number even when the fd is unknown (then the *FD
// is nil and Stats.FailedFDLookups counts it). fd parameters are C ints:
// a value that is negative as 32 bits (old drivers wrote mmap's -1 as
// 4294967295) means no fd. A failed open has no fd here; libs' fd.name
// for a failed open/openat/creat is the path from the event's parameters,
// which the fields layer renders itself.
//
// # Processes and threads
//
// Threads of one process share a group: fd table, cwd, subreaper flag.
// A main thread that exits while other threads live stays in the table,
// dead, so pid lookups and the shared state keep working; it leaves with
// the last thread. When a thread exits, its children are reparented like
// libs does: to the reaper the kernel reported (procexit's reaper_tid),
// else a live thread of the same process, else the nearest ancestor that
// is a child subreaper or a namespace init, else Ptid becomes 0. A clone
// is reported in the parent and in the child, in either order: the first
// creates the child (a forked child gets a copy of the parent's fds and
// its cwd: like libs, saker does not take cwds from clone or execve
// parameters, which current drivers leave empty), the child's own report
// refines it — except when the caller runs in a child pid namespace
// (PPM_CL_CHILD_IN_PIDNS, or its virtual ids differ from its host ids):
// the id clone returned there is the namespaced one (e.g. 6 inside a
// container), so, like libs, only the child's own report, which carries
// its host tid/pid and its virtual ids, creates it. A new thread's parent (Ptid) is its process's main thread,
// as in libs. A thread's memory and page-fault counters (VMSize, VMRSS,
// VMSwap, PageFaults*) come from the process list and clone/execve, and
// follow the brk/mmap/munmap exits and context switches that report them,
// on the event's thread, as libs keeps them. An event from a thread saker
// never saw
// created gets a placeholder entry (Thread.Invalid: pid -1, comm "<NA>",
// as libs) in replay, or is read from /proc in live mode.
//
// # Bounds and counters
//
// The thread table holds at most Config.MaxThreads threads (Falco's
// thread_table_size, default 262144): a thread beyond it is not added
// (Stats.DropsFullThreadTable). Every Config.PurgeInterval of event time
// (default 300 s) threads with no event for Config.ThreadTimeout (300 s)
// are removed — in live mode only those whose /proc entry is gone. fd
// names are interned in a bounded table so that reopening a path does not
// allocate. [State.Stats] returns libsinsp's state counters (n_threads,
// n_fds, n_{cached,noncached,failed}_{thread,fd}_lookups, n_added/removed_
// threads/fds, n_drops_full_threadtable), published every 256 updates
// and safe to read from any goroutine. A thread lookup is "cached" when
// the last event's thread or a 256-entry direct-mapped cache in front of
// the thread map answers it; an fd lookup when it is the same fd as the
// process's previous lookup.
//
// # Costs
//
// Update allocates nothing on the steady path (events of known threads;
// opens of paths seen before; closes, reads, writes): this is a test
// (TestSteadyUpdateAllocatesNothing). Creating a thread allocates it; a
// fork copies the parent's fd table, which is compact (an index array
// plus one slot per open fd); an execve copies its strings. `make bench`
// runs BenchmarkUpdate (the steady mix) and BenchmarkDecodeAndState (a
// 2M-event capture decoded by package scap and fed to Update, next to
// decode alone and to sysdig on the same file).
//
// # Container ids
//
// container.id is derived from cgroup paths ([ContainerFromCgroupPath]):
// the 64-hex id of docker (/docker/<id>, docker-<id>.scope), containerd
// (/kubepods/.../<id>, cri-containerd-<id>.scope, ...:cri-containerd:<id>),
// CRI-O (crio-<id>[.scope]) and podman (libpod-<id>.scope), cgroup v1 and
// v2 alike, shortened to 12 characters; "host" otherwise.
//
// A capture's container events (PPME_CONTAINER_JSON_E/_2_E, the old
// PPME_CONTAINER_E) fill a container table ([State.ContainerOf],
// [Container]): name, image and its id/repository/tag/digest, type,
// privileged, mounts, health probes, IP. The latest event for an id
// replaces its entry; a container no event describes gets what libs makes
// of it from the cgroup alone (its type). Live there is no container
// runtime client: the table stays empty.
//
// # Local addresses
//
// The machine's interface list — the capture's IL block, or at LoadProc
// this machine's interfaces — decides, as in libs, fd.is_server (the
// server address is local: [State.ServerIsLocal]) and which end of a
// connection is the local one (the client's when its address is local:
// [State.ClientIsLocal]); a container's IP counts as local for its
// threads, IPv6 addresses compare by their first 64 bits.
//
// # Not modelled
//
// A container's users come from its own /etc in live mode
// ([State.UsersOf]) and from user/group events carrying its id in replay;
// a capture's UL block is the host's only, as libs writes it. comm
// changes by prctl(PR_SET_NAME) are not followed (libs does not either);
// chroot is recorded (Thread.Root) but paths are not resolved inside it.
package state
