package event

//go:generate go run ./internal/gentable -in ../../../shared/research/falco/scap_event_table.json -out table_gen.go

import "strconv"

// Type is a scap event type (libs' ppm_event_code, PPME_*). Even types are
// enter events, odd types exit events; several versions of one syscall share
// a name (PPME_SYSCALL_EXECVE_8_X … EXECVE_19_X).
type Type uint16

// Info describes one event type, as in libs' g_event_info.
type Info struct {
	Name     string // "openat", "execve", "procexit", ...
	Code     string // "PPME_SYSCALL_OPENAT_2_X"
	Dir      Dir
	Category Category
	Flags    Flags
	Params   []ParamInfo
}

// ParamInfo describes one parameter of an event type.
type ParamInfo struct {
	Name   string
	Type   ParamType
	Format ParamFormat
	// Info is the name of the table that renders this parameter's value
	// ("file_flags", "clone_flags", ...) or, for dirfd-relative paths, which
	// parameter holds the dirfd ("DIRFD_PARAM(1)").
	Info string
}

// Info returns the table entry of t, or nil if t is not a known type.
func (t Type) Info() *Info {
	if int(t) >= MaxType {
		return nil
	}
	return &table[t]
}

// Valid reports whether t is below MaxType.
func (t Type) Valid() bool { return int(t) < MaxType }

// Name returns the event name ("openat"), or "unknown" for an invalid type.
func (t Type) Name() string {
	if int(t) >= MaxType {
		return "unknown"
	}
	return table[t].Name
}

// String returns the libs code, e.g. PPME_SYSCALL_OPENAT_2_X.
func (t Type) String() string {
	if int(t) >= MaxType {
		return "Type(" + strconv.Itoa(int(t)) + ")"
	}
	return table[t].Code
}

// Dir is an event direction.
type Dir uint8

const (
	Enter Dir = iota
	Exit
)

// Char returns '>' for enter and '<' for exit, as evt.dir prints them.
func (d Dir) Char() byte {
	if d == Enter {
		return '>'
	}
	return '<'
}

// Category is an event category: a class in the low byte (file, net,
// process, ...) plus kind bits (syscall, tracepoint, metaevent, ...). The
// values are libs' EC_* values.
type Category uint32

const (
	CatUnknown    Category = 0
	CatOther      Category = 1
	CatFile       Category = 2
	CatNet        Category = 3
	CatIpc        Category = 4
	CatMemory     Category = 5
	CatProcess    Category = 6
	CatSleep      Category = 7
	CatSystem     Category = 8
	CatSignal     Category = 9
	CatUser       Category = 10
	CatTime       Category = 11
	CatProcessing Category = 12
	CatIoRead     Category = 32
	CatIoWrite    Category = 33
	CatIoOther    Category = 34
	CatWait       Category = 64
	CatScheduler  Category = 128
	CatInternal   Category = 256
	CatSyscall    Category = 512
	CatTracepoint Category = 1024
	CatPlugin     Category = 2048
	CatMetaevent  Category = 4096
	CatIter       Category = 8192

	// CatClassMask selects the class part of a Category.
	CatClassMask Category = 0xff
)

// Class returns the class part (CatFile, CatNet, ...) without kind bits.
func (c Category) Class() Category { return c & CatClassMask }

// Flags are the EF_* event flags.
type Flags uint32

const (
	FlagCreatesFd Flags = 1 << iota
	FlagDestroysFd
	FlagUsesFd
	FlagReadsFromFd
	FlagWritesToFd
	FlagModifiesState
	FlagUnused
	FlagWaits
	FlagSkipparsereset
	FlagOldVersion
	FlagDropSimpleCons
	FlagLargePayload
	FlagConverterManaged
)

// ParamType is a parameter (and field) type, libs' ppm_param_type (PT_*).
type ParamType uint8

const (
	PTNone ParamType = iota
	PTInt8
	PTInt16
	PTInt32
	PTInt64
	PTUint8
	PTUint16
	PTUint32
	PTUint64
	PTCharbuf
	PTBytebuf
	PTErrno
	PTSockaddr
	PTSocktuple
	PTFd
	PTPid
	PTFdlist
	PTFspath
	PTSyscallid
	PTSigtype
	PTReltime
	PTAbstime
	PTPort
	PTL4proto
	PTSockfamily
	PTBool
	PTIpv4addr
	PTDyn
	PTFlags8
	PTFlags16
	PTFlags32
	PTUid
	PTGid
	PTDouble
	PTSigset
	PTCharbufarray
	PTCharbufPairArray
	PTIpv4net
	PTIpv6addr
	PTIpv6net
	PTIpaddr
	PTIpnet
	PTMode
	PTFsrelpath
	PTEnumflags8
	PTEnumflags16
	PTEnumflags32
	PTFd32
	PTPid32
	PTMax
)

var paramTypeNames = [...]string{
	"NONE", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64",
	"CHARBUF", "BYTEBUF", "ERRNO", "SOCKADDR", "SOCKTUPLE", "FD", "PID", "FDLIST", "FSPATH",
	"SYSCALLID", "SIGTYPE", "RELTIME", "ABSTIME", "PORT", "L4PROTO", "SOCKFAMILY", "BOOL",
	"IPV4ADDR", "DYN", "FLAGS8", "FLAGS16", "FLAGS32", "UID", "GID", "DOUBLE", "SIGSET",
	"CHARBUFARRAY", "CHARBUF_PAIR_ARRAY", "IPV4NET", "IPV6ADDR", "IPV6NET", "IPADDR", "IPNET",
	"MODE", "FSRELPATH", "ENUMFLAGS8", "ENUMFLAGS16", "ENUMFLAGS32", "FD32", "PID32",
}

// String returns the type name without the PT_ prefix ("CHARBUF").
func (t ParamType) String() string {
	if int(t) < len(paramTypeNames) {
		return paramTypeNames[t]
	}
	return "PT(" + strconv.Itoa(int(t)) + ")"
}

// FixedSize returns the encoded size of a fixed-size parameter type, or 0
// for variable-size types (strings, buffers, addresses, lists, DYN).
func (t ParamType) FixedSize() int {
	switch t {
	case PTInt8, PTUint8, PTSigtype, PTL4proto, PTSockfamily, PTFlags8, PTEnumflags8:
		return 1
	case PTInt16, PTUint16, PTPort, PTSyscallid, PTFlags16, PTEnumflags16:
		return 2
	case PTInt32, PTUint32, PTBool, PTIpv4addr, PTFlags32, PTUid, PTGid, PTMode, PTEnumflags32, PTFd32, PTPid32, PTSigset:
		return 4
	case PTInt64, PTUint64, PTErrno, PTFd, PTPid, PTReltime, PTAbstime, PTDouble:
		return 8
	case PTIpv6addr:
		return 16
	}
	return 0
}

// Signed reports whether an integer parameter type is signed.
func (t ParamType) Signed() bool {
	switch t {
	case PTInt8, PTInt16, PTInt32, PTInt64, PTErrno, PTFd, PTPid, PTFd32, PTPid32:
		return true
	}
	return false
}

// ParamFormat is how a numeric parameter prints (libs' ppm_print_format).
type ParamFormat uint8

const (
	PFNa ParamFormat = iota
	PFDec
	PFHex
	PFPaddedDec
	PFId
	PFDir
	PFOct
)
