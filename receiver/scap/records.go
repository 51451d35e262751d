package scap

import "net/netip"

// Metadata is everything a capture says before (and besides) its events:
// the section header version, the machine, and the snapshot of processes,
// open files, users, groups and network interfaces taken when the capture
// started. The state tracker bootstraps its tables from it.
//
// Records are plain values that own their memory (strings are copied out
// of the file), so they can be kept after the Reader moves on.
type Metadata struct {
	// Major and Minor are the section header block version (1.0 – 1.2).
	Major, Minor uint16
	// Machine is nil when the capture has no machine info block.
	Machine    *MachineInfo
	Processes  []Process
	FDs        []FD
	Users      []User
	Groups     []Group
	Interfaces []Interface
}

// MachineInfo is the machine info (MI) block.
type MachineInfo struct {
	NumCPUs         uint32
	MemorySizeBytes uint64
	MaxPID          uint64
	Hostname        string
	// BootTimeEpoch is the boot time in ns since the epoch (0 in old captures).
	BootTimeEpoch uint64
	Flags         uint64
	Reserved3     uint64
	Reserved4     uint64
}

// Process is one process-list (PL) entry: a thread as it was when the
// capture started. Fields an older PL version lacks hold the value libscap
// gives them when it reads that version (see the field comments), so a
// Process read from a V1 block and written back as V9 means the same thing.
type Process struct {
	Tid  int64
	Pid  int64
	Ptid int64
	// Sid is the session id (PL V6+; -1 before).
	Sid int64
	// Vpgid is the process group id in the pid namespace (PL V8+; -1 before).
	Vpgid int64
	Comm  string
	Exe   string
	// ExePath is the full executable path (PL V7+; "" before).
	ExePath string
	// Args are the arguments after argv[0] (exe is argv[0]).
	Args    []string
	Cwd     string
	FDLimit int64
	// Flags are the PPM_CL_* thread flags.
	Flags uint32
	UID   uint32
	GID   uint32
	// Memory in KiB and page faults (PL V2+; 0 before).
	VMSizeKB uint32
	VMRSSKB  uint32
	VMSwapKB uint32
	PFMajor  uint64
	PFMinor  uint64
	// Env is the environment, "NAME=value" per element (PL V3+).
	Env []string
	// Vtid and Vpid are the ids in the thread's pid namespace (PL V4+;
	// libscap sets them to Tid and Pid for older versions).
	Vtid int64
	Vpid int64
	// Cgroups are "subsystem=path" elements (PL V4+).
	Cgroups []string
	// Root is the process root directory (PL V5+; "" before).
	Root string
	// The fields below exist only in PL V9 entries and only when the writer
	// knew them; absent ones keep libscap's defaults (0, LoginUID = 0xffffffff).
	PidnsInitStartTs uint64
	TTY              uint32
	LoginUID         uint32
	ExeWritable      bool
	CapInheritable   uint64
	CapPermitted     uint64
	CapEffective     uint64
	ExeUpperLayer    bool
	ExeIno           uint64
	ExeInoCtime      uint64
	ExeInoMtime      uint64
	ExeFromMemfd     bool
	ExeLowerLayer    bool
	Pgid             int64
}

// FDType is libscap's scap_fd_type: what kind of object a file descriptor
// refers to. It decides which FD fields are meaningful.
type FDType uint8

// FD types (scap_fd_type values).
const (
	FDUnknown     FDType = 0
	FDFile        FDType = 1
	FDDirectory   FDType = 2
	FDIPv4Sock    FDType = 3
	FDIPv6Sock    FDType = 4
	FDIPv4Server  FDType = 5
	FDIPv6Server  FDType = 6
	FDFifo        FDType = 7
	FDUnixSock    FDType = 8
	FDEvent       FDType = 9
	FDUnsupported FDType = 10
	FDSignalfd    FDType = 11
	FDEventpoll   FDType = 12
	FDInotify     FDType = 13
	FDTimerfd     FDType = 14
	FDNetlink     FDType = 15
	FDFileV2      FDType = 16
	FDBPF         FDType = 17
	FDUserfaultfd FDType = 18
	FDIOUring     FDType = 19
	FDMemfd       FDType = 20
	FDPidfd       FDType = 21
	fdTypeCount          = 22
)

// FD is one entry of an FD-list (FDL) block: a file descriptor a thread
// had open when the capture started.
type FD struct {
	Tid  int64
	FD   int64
	Ino  uint64
	Type FDType
	// Name is the path (files, directories, fifos, unix sockets' path, ...)
	// or the description the capturer gave the object. Sockets of the IP
	// families have no name in the file (libsinsp builds it from the tuple).
	Name string
	// OpenFlags are the PPM_O_* flags of FDFileV2 entries.
	OpenFlags uint32
	// Dev is the device number of FDFileV2 entries (0 if the writer omitted it).
	Dev uint32
	// IP sockets (FDIPv4Sock, FDIPv6Sock): source and destination.
	// IP servers (FDIPv4Server, FDIPv6Server): the listening address is
	// in SrcAddr/SrcPort.
	SrcAddr netip.Addr
	DstAddr netip.Addr
	SrcPort uint16
	DstPort uint16
	L4Proto uint8
	// Unix sockets (FDUnixSock): kernel socket pointers; the path is Name.
	UnixSource uint64
	UnixDest   uint64
}

// User is one user entry of a user list (UL) block.
type User struct {
	UID     uint32
	GID     uint32
	Name    string
	HomeDir string
	Shell   string
}

// Group is one group entry of a user list (UL) block.
type Group struct {
	GID  uint32
	Name string
}

// InterfaceType is the entry type of an interface-list (IL) entry.
type InterfaceType uint16

// Interface entry types (SCAP_II_*).
const (
	IfIPv4            InterfaceType = 1
	IfIPv6            InterfaceType = 2
	IfIPv4NoLinkSpeed InterfaceType = 3
	IfIPv6NoLinkSpeed InterfaceType = 4
)

// IPv6 reports whether the entry is an IPv6 address.
func (t InterfaceType) IPv6() bool { return t == IfIPv6 || t == IfIPv6NoLinkSpeed }

// HasLinkSpeed reports whether the entry carries a link speed field.
func (t InterfaceType) HasLinkSpeed() bool { return t == IfIPv4 || t == IfIPv6 }

// Interface is one interface-list (IL) entry: an address of a network
// interface.
type Interface struct {
	Type      InterfaceType
	Name      string
	Addr      netip.Addr
	Netmask   netip.Addr
	Broadcast netip.Addr
	// LinkSpeed is only present for IfIPv4/IfIPv6 entries.
	LinkSpeed uint64
}
