package childtest

import (
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The credential calls receiver/ebpf's and internal/livetest's creds
// workloads both make.

// RootIDs sets the uid and the gid to what they are for root: setuid(0)
// and setgid(0). Keys: setuid, setgid.
func RootIDs(out map[string]any) {
	r, e := Raw(unix.SYS_SETUID, 0)
	Must(out, "setuid", r, e)
	r, e = Raw(unix.SYS_SETGID, 0)
	Must(out, "setgid", r, e)
}

// CapsetPrctl reads the thread's capability sets (capget, not recorded),
// lets adjust change them (nil: they stay as they are), sets them with a
// raw capset, then names the thread "saker-pr" with prctl(PR_SET_NAME).
// Keys: cap_eff (the effective set before adjust, see [CapEff]), capset,
// prctl.
func CapsetPrctl(out map[string]any, adjust func(data *[2]unix.CapUserData)) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	unix.Capget(&hdr, &data[0])
	out["cap_eff"] = CapEff(&data)
	if adjust != nil {
		adjust(&data)
	}
	r, e := Raw(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])))
	Must(out, "capset", r, e)
	r, e = Raw(unix.SYS_PRCTL, unix.PR_SET_NAME, uintptr(CStr("saker-pr")))
	Must(out, "prctl", r, e)
}

// CapEff is the effective set of data as one 64-bit mask, in decimal (a
// string: JSON numbers lose bits past 2^53).
func CapEff(data *[2]unix.CapUserData) string {
	return strconv.FormatUint(uint64(data[1].Effective)<<32|uint64(data[0].Effective), 10)
}
