package state

// Flag and enum values carried in event parameters, as the scap event
// table defines them (libs driver/ppm_events_public.h). They are not the
// kernel's values: the drivers translate O_*, CLONE_*, ... into these.

// Open flags (PT_FLAGS32 "file_flags", PPM_O_*).
const (
	OpenRdonly    = 1 << 0
	OpenWronly    = 1 << 1
	OpenRdwr      = OpenRdonly | OpenWronly
	OpenCreat     = 1 << 2
	OpenAppend    = 1 << 3
	OpenDsync     = 1 << 4
	OpenExcl      = 1 << 5
	OpenNonblock  = 1 << 6
	OpenSync      = 1 << 7
	OpenTrunc     = 1 << 8
	OpenDirect    = 1 << 9
	OpenDirectory = 1 << 10
	OpenLargefile = 1 << 11
	OpenCloexec   = 1 << 12
	OpenTmpfile   = 1 << 13
	OpenFCreated  = 1 << 14 // file created by this syscall
	// FD on an overlayfs upper/lower layer (set by the drivers on open).
	OpenFDUpperLayer = 1 << 15
	OpenFDLowerLayer = 1 << 16
)

// Clone flags (PT_FLAGS32 "clone_flags", PPM_CL_*). Bits 16-19, 21, 22, 29
// and 30 are libsinsp's own thread flags; saker keeps the kernel-derived
// ones in Thread.CloneFlags.
const (
	CloneFiles        = 1 << 0
	CloneFS           = 1 << 1
	CloneIO           = 1 << 2
	CloneNewIPC       = 1 << 3
	CloneNewNet       = 1 << 4
	CloneNewNS        = 1 << 5
	CloneNewPID       = 1 << 6
	CloneNewUTS       = 1 << 7
	CloneParent       = 1 << 8
	CloneParentSettd  = 1 << 9
	ClonePtrace       = 1 << 10
	CloneSighand      = 1 << 11
	CloneSysvsem      = 1 << 12
	CloneThread       = 1 << 13
	CloneUntraced     = 1 << 14
	CloneVM           = 1 << 15
	CloneNewUser      = 1 << 20
	CloneVfork        = 1 << 27
	CloneNewCgroup    = 1 << 28
	CloneChildInPidns = 1 << 29 // child is not in the initial pid namespace
)

// Execve flags (PT_FLAGS32 "execve_flags", PPM_EXE_*).
const (
	ExeWritable   = 1 << 0
	ExeUpperLayer = 1 << 1
	ExeFromMemfd  = 1 << 2
	ExeLowerLayer = 1 << 3
)

// fcntl commands (PT_ENUMFLAGS8 "fcntl_commands") that duplicate an fd
// or set its close-on-exec flag.
const (
	fcntlDupfd        = 1
	fcntlSetfd        = 3
	fcntlDupfdCloexec = 26
	fdCloexec         = 1 // FD_CLOEXEC, fcntl(F_SETFD)'s argument
)

// ioctl requests that set and clear an fd's close-on-exec flag (Linux's
// FIOCLEX and FIONCLEX; Python's os.set_inheritable uses them).
const (
	ioctlFIONCLEX = 0x5450
	ioctlFIOCLEX  = 0x5451
)

// epollCloexec is PPM_EPOLL_CLOEXEC of epoll_create1's flags.
const epollCloexec = 1

// close_range flags (PT_FLAGS32 "close_range_flags"): PPM_CLOSE_RANGE_*
// are the kernel's CLOSE_RANGE_* bits.
const (
	closeRangeUnshare = 1 << 1
	closeRangeCloexec = 1 << 2
)

// prctl options used for state (the values are Linux's PR_*).
const prSetChildSubreaper = 36

// AtFDCWD is the dirfd value meaning "relative to the current directory".
const AtFDCWD = -100

// Socket families (PPM_AF_*), as in the "domain" parameter of socket().
const (
	afUnix    = 1
	afInet    = 2
	afInet6   = 10
	afNetlink = 16
)

// Socket types and IP protocols, as the kernel passes them to socket().
const (
	sockStream   = 1
	sockDgram    = 2
	sockRaw      = 3
	sockTypeMask = 0xf

	ipprotoIP     = 0
	ipprotoICMP   = 1
	ipprotoTCP    = 6
	ipprotoUDP    = 17
	ipprotoICMPv6 = 58
	ipprotoRaw    = 255
)

// noID is the value of a uid/gid/loginuid parameter that is not set.
const noID = ^uint32(0)
