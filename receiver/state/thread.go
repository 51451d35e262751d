package state

import "strings"

// Thread is what saker knows about one thread (a task). Threads of one
// process form a thread group that shares the fd table, the working
// directory and the child-subreaper flag; everything else is per thread
// and copied from the creator at clone, as in the kernel and in libs.
//
// Fields are read directly. Strings and slices are immutable once set:
// an update replaces them, so a reader may keep them. The *Thread itself
// is valid until the next [State.Update]; do not keep it across events.
type Thread struct {
	Tid int64 // thread id (host)
	Pid int64 // process id = thread group id (host)
	// Ptid is the parent thread id (host): for a process, the thread
	// that created it (or the reaper it was moved to; 0 when none, -1
	// when unknown); for a thread created while saker watched, its
	// process's main thread, as libs makes it (proc.ppid is the main
	// thread's Ptid).
	Ptid int64
	Sid  int64 // session id; -1 when unknown
	Pgid int64 // process group id (host)
	// Virtual ids: as seen inside the thread's pid namespace. Equal to the
	// host ids for threads in the initial namespace; 0 or -1 when unknown.
	Vtid  int64
	Vpid  int64
	Vpgid int64

	// Comm is the kernel task name (proc.name), at most 15 bytes.
	Comm string
	// Exe is argv[0] as the process set it (proc.exe).
	Exe string
	// ExePath is the executable's full path resolved by the kernel
	// (proc.exepath, execve's trusted_exepath).
	ExePath string
	// Args are argv[1:] (proc.args joins them with spaces).
	Args []string
	// Env is the environment, "NAME=value" per element.
	Env  []string
	Root string // chroot directory ("/" normally)

	UID      uint32 // effective uid; ^uint32(0) when unknown
	GID      uint32 // effective gid; ^uint32(0) when unknown
	LoginUID uint32 // audit login uid; ^uint32(0) when unset
	TTY      uint32 // controlling terminal device number, 0 if none

	CapInheritable uint64
	CapPermitted   uint64
	CapEffective   uint64

	FDLimit int64 // RLIMIT_NOFILE soft limit
	// CloneFlags are the Clone* flags the thread was created with.
	CloneFlags uint32

	ExeWritable   bool // the executable is writable by the thread's user
	ExeUpperLayer bool // the executable is in an overlayfs upper layer
	ExeLowerLayer bool
	ExeFromMemfd  bool   // the executable is a memfd (fileless execution)
	ExeIno        uint64 // executable inode number
	ExeInoCtime   uint64 // ns since epoch
	ExeInoMtime   uint64 // ns since epoch

	CloneTS          uint64 // ns since epoch: thread creation
	LastExecTS       uint64 // ns since epoch: last successful execve, 0 if none seen
	PidnsInitStartTS uint64 // start time of the pid namespace's init (container.start_ts)

	VMSize, VMRSS, VMSwap uint32 // kB
	PageFaultsMajor       uint64
	PageFaultsMinor       uint64

	Cgroups []Cgroup
	// ContainerID is container.id: the 12-character id derived from the
	// cgroups, or "host".
	ContainerID string
	// ContainerRuntime names the runtime the id was recognised from
	// ("docker", "cri-containerd", "cri-o", "podman"), "" for host.
	ContainerRuntime string

	g          *group
	children   []*Thread
	lastAccess uint64 // event ts of the last event of this thread
	lastFD     int64  // fd of the last enter event (old captures); 0 before any, as libs
	enter      []byte // the last enter event (old captures), see ev
	origin     origin
	dead       bool // exited; kept only as the main thread of a live group
	invalid    bool // placeholder for an unknown thread
}

// Cgroup is one cgroup membership: the controller (subsystem) and the
// path within its hierarchy. For cgroup v2 the subsystem is the
// controller list name the source reported, or "" for the unified line.
type Cgroup struct {
	Subsys string
	Path   string
}

// origin records where a thread entry came from, to tell a live entry
// from a stale one when its tid shows up again.
type origin uint8

const (
	originUnknown     origin = iota
	originProc               // /proc scan
	originCapture            // capture PL block
	originCaller             // clone exit in the parent
	originChild              // clone exit in the child
	originExec               // first seen in execve
	originPlaceholder        // event from an unknown thread
)

// group is a thread group (a process): what its threads share.
type group struct {
	pid      int64
	main     *Thread // may be dead (kept while threads live), or nil if unknown
	nthreads int     // live threads
	fds      *FDTable
	cwd      string // absolute, with a trailing slash (as libs keeps it)
	reaper   bool   // PR_SET_CHILD_SUBREAPER
}

// IsMain reports whether t is its process's main thread (tid == pid).
func (t *Thread) IsMain() bool { return t.Tid == t.Pid }

// Main returns the main thread of t's process (possibly dead: libs keeps
// a dead leader while other threads live), or t if it is unknown.
func (t *Thread) Main() *Thread {
	if t.g != nil && t.g.main != nil {
		return t.g.main
	}
	return t
}

// Dead reports whether the thread has exited (a dead main thread stays
// in the table while the rest of its group lives).
func (t *Thread) Dead() bool { return t.dead }

// Invalid reports whether the entry is a placeholder for a thread whose
// creation saker did not see (libs' "invalid" threadinfo: pid -1, comm
// "<NA>"); it becomes valid when an execve or a clone fills it.
func (t *Thread) Invalid() bool { return t.invalid }

// CWD returns the process's working directory, with a trailing slash
// (proc.cwd), or "" when unknown.
func (t *Thread) CWD() string {
	if t.g == nil {
		return ""
	}
	return t.g.cwd
}

// FDs returns the process's fd table.
func (t *Thread) FDs() *FDTable { return t.g.fds }

// FD returns the thread's fd num, or nil. See [State.EventFD] for the
// event's fd with lookup counting.
func (t *Thread) FD(num int64) *FD { return t.g.fds.Get(num) }

// IsSubreaper reports whether the process set PR_SET_CHILD_SUBREAPER.
func (t *Thread) IsSubreaper() bool { return t.g != nil && t.g.reaper }

// NumThreads returns the number of live threads of t's process.
func (t *Thread) NumThreads() int {
	if t.g == nil {
		return 0
	}
	return t.g.nthreads
}

// NumChildren returns the number of known child threads.
func (t *Thread) NumChildren() int { return len(t.children) }

// AppendCmdline appends proc.cmdline, Comm followed by each argument,
// space separated, and returns the extended buffer.
func (t *Thread) AppendCmdline(dst []byte) []byte {
	dst = append(dst, t.Comm...)
	for _, a := range t.Args {
		dst = append(dst, ' ')
		dst = append(dst, a...)
	}
	return dst
}

// AppendArgs appends proc.args: the arguments, space separated.
func (t *Thread) AppendArgs(dst []byte) []byte {
	for i, a := range t.Args {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, a...)
	}
	return dst
}

// AppendEnv appends proc.env: the environment, space separated.
func (t *Thread) AppendEnv(dst []byte) []byte {
	for i, a := range t.Env {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, a...)
	}
	return dst
}

// Getenv returns the value of environment variable name (proc.env[NAME]).
func (t *Thread) Getenv(name string) (string, bool) {
	for _, kv := range t.Env {
		if len(kv) > len(name) && kv[len(name)] == '=' && strings.HasPrefix(kv, name) {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}

// IsVpgidLeader reports whether the process leads its (virtual) process
// group (proc.is_vpgid_leader).
func (t *Thread) IsVpgidLeader() bool {
	return t.Vpgid != 0 && t.Main().Vpid == t.Vpgid
}

// InContainer reports whether the thread runs in a recognised container.
func (t *Thread) InContainer() bool { return t.ContainerID != hostID }
