package scap

// decodePL decodes a process-list block body of the given version (1–9).
func decodePL(c *cursor, version int, dst []Process) ([]Process, error) {
	for c.err == nil && c.remaining() >= 4 {
		entry := c
		var sub cursor
		if version >= 9 {
			n := c.u32("process entry length")
			// The length counts its own 4 bytes.
			if n < 4 {
				return dst, formatErr(c.off()-4, "process entry length %d < 4", n)
			}
			sub = c.sub(int(n)-4, "process entry")
			entry = &sub
		}
		p, err := decodeProcess(entry, version)
		if err != nil {
			return dst, err
		}
		dst = append(dst, p)
	}
	return dst, c.err
}

func decodeProcess(c *cursor, version int) (Process, error) {
	var p Process
	p.Tid = int64(c.u64("tid"))
	p.Pid = int64(c.u64("pid"))
	p.Ptid = int64(c.u64("ptid"))
	p.Sid, p.Vpgid = -1, -1 // libscap's "unknown" for versions without them
	if version >= 6 {
		p.Sid = int64(c.u64("sid"))
	}
	if version >= 8 {
		p.Vpgid = int64(c.u64("vpgid"))
	}
	p.Comm = c.str("comm")
	p.Exe = c.str("exe")
	if version >= 7 {
		p.ExePath = c.str("exepath")
	}
	p.Args = splitNUL(c.lenBytes("args"))
	p.Cwd = c.str("cwd")
	p.FDLimit = int64(c.u64("fdlimit"))
	p.Flags = c.u32("flags")
	p.UID = c.u32("uid")
	p.GID = c.u32("gid")
	if version >= 2 {
		p.VMSizeKB = c.u32("vmsize_kb")
		p.VMRSSKB = c.u32("vmrss_kb")
		p.VMSwapKB = c.u32("vmswap_kb")
		p.PFMajor = c.u64("pfmajor")
		p.PFMinor = c.u64("pfminor")
	}
	if version >= 3 {
		p.Env = splitNUL(c.lenBytes("env"))
	}
	p.Vtid, p.Vpid = p.Tid, p.Pid
	if version >= 4 {
		p.Vtid = int64(c.u64("vtid"))
		p.Vpid = int64(c.u64("vpid"))
		p.Cgroups = splitNUL(c.lenBytes("cgroups"))
	}
	if version >= 5 {
		p.Root = c.str("root")
	}
	p.LoginUID = noLoginUID
	if version >= 9 && c.err == nil {
		// Fields appended to V9 over time: each is read only if the entry
		// still has room for it; the rest of the entry is skipped. Writers
		// before libs 0.10 (sysdig 0.29 among them) wrote loginuid,
		// exe_writable and the three capability sets right after root (29
		// bytes at most); later ones put pidns_init_start_ts and tty first.
		// Like libscap, tell them apart by the size of the remainder.
		if c.remaining() > v9LegacyTail {
			p.PidnsInitStartTs = c.u64("pidns_init_start_ts")
			p.TTY = c.u32("tty")
		}
		if c.remaining() >= 4 {
			p.LoginUID = c.u32("loginuid")
		}
		if c.remaining() >= 1 {
			p.ExeWritable = c.u8("exe_writable") != 0
		}
		if c.remaining() >= 8 {
			p.CapInheritable = c.u64("cap_inheritable")
		}
		if c.remaining() >= 8 {
			p.CapPermitted = c.u64("cap_permitted")
		}
		if c.remaining() >= 8 {
			p.CapEffective = c.u64("cap_effective")
		}
		if c.remaining() >= 1 {
			p.ExeUpperLayer = c.u8("exe_upper_layer") != 0
		}
		if c.remaining() >= 8 {
			p.ExeIno = c.u64("exe_ino")
		}
		if c.remaining() >= 8 {
			p.ExeInoCtime = c.u64("exe_ino_ctime")
		}
		if c.remaining() >= 8 {
			p.ExeInoMtime = c.u64("exe_ino_mtime")
		}
		if c.remaining() >= 1 {
			p.ExeFromMemfd = c.u8("exe_from_memfd") != 0
		}
		if c.remaining() >= 1 {
			p.ExeLowerLayer = c.u8("exe_lower_layer") != 0
		}
		if c.remaining() >= 8 {
			p.Pgid = int64(c.u64("pgid"))
		}
	}
	return p, c.err
}

// v9LegacyTail is the size of the PL V9 fields after root as writers
// before libs 0.10 wrote them: loginuid, exe_writable, three capability sets.
const v9LegacyTail = 4 + 1 + 3*8

// noLoginUID is the loginuid of a thread without one ((uid_t)-1).
const noLoginUID = 0xffffffff
