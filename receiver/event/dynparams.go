package event

// DynType returns the type of a PT_DYN parameter's value: the parameter's
// dynamic table (its ParamInfo.Info) indexed by the byte before the value.
// The tables are libs' (driver/dynamic_params_table.c); the socket-option
// indices were checked against sysdig 0.29's decoding of getsockopt and
// setsockopt events. keyctl's table is not here: its indices are not
// known (saker's own program writes 0 for numbers, 1 for strings).
func DynType(info string, index uint8) (ParamType, bool) {
	var t []ParamType
	switch info {
	case "sockopt_dynamic_param":
		t = sockoptDyn[:]
	case "ptrace_dynamic_param":
		t = ptraceDyn[:]
	case "bpf_dynamic_param":
		t = bpfDyn[:]
	}
	if int(index) >= len(t) {
		return 0, false
	}
	return t[index], true
}

var (
	// PPM_SOCKOPT_IDX_UNKNOWN (the option's bytes), _ERRNO (SO_ERROR,
	// negated), _UINT32, _UINT64, _TIMEVAL (in nanoseconds)
	sockoptDyn = [...]ParamType{PTBytebuf, PTErrno, PTUint32, PTUint64, PTReltime}
	// PPM_PTRACE_IDX_UINT64, _SIGTYPE
	ptraceDyn = [...]ParamType{PTUint64, PTSigtype}
	// PPM_BPF_IDX_FD, _RES
	bpfDyn = [...]ParamType{PTFd, PTErrno}
)
