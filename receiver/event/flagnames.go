package event

import "strconv"

// FlagName is one entry of a flag table: a PPM value and its name.
type FlagName struct {
	Name  string
	Value uint64
}

// FlagTable is a named table of flag or enum values, as the event table
// names them in [ParamInfo.Info] ("file_flags", "socket_families", ...).
// Entries are in rendering order.
type FlagTable struct {
	Name    string
	Entries []FlagName
}

// LookupFlagTable returns the table named name, or nil. Resolve it once
// (e.g. per parameter) and call [FlagTable.AppendNames] on the hot path.
func LookupFlagTable(name string) *FlagTable { return flagTables[name] }

// FlagTableNames returns the names of all known flag tables.
func FlagTableNames() []string {
	out := make([]string, 0, len(flagTables))
	for n := range flagTables {
		out = append(out, n)
	}
	return out
}

// FlagNames appends to dst the names of v in the named table, joined by
// '|' as sysdig prints them ("O_RDONLY|O_CLOEXEC"); it appends nothing if
// no name applies or the table is unknown.
func FlagNames(table string, v uint64, dst []byte) []byte {
	t := flagTables[table]
	if t == nil {
		return dst
	}
	return t.AppendNames(dst, v)
}

// AppendNames appends the names of v, the way libsinsp renders flag and
// enum parameters: walking the table in order, an entry of value 0 matches
// only v == 0, any other entry matches when all its bits are still set in
// v, and its bits are then cleared so that overlapping entries (O_RDWR
// before O_WRONLY and O_RDONLY) print once; the walk stops at the first
// entry equal to the original value, which is printed last. Bits no entry
// names are not printed. Enum tables go through the same walk (sysdig 0.29
// does so), so a valid enum value prints its one name.
func (t *FlagTable) AppendNames(dst []byte, v uint64) []byte {
	if t == nil {
		return dst
	}
	initial, rest := v, v
	sep := false
	for _, e := range t.Entries {
		if e.Value == initial {
			if sep {
				dst = append(dst, '|')
			}
			return append(dst, e.Name...)
		}
		if (e.Value == 0 && initial == 0) || (e.Value != 0 && rest != 0 && rest&e.Value == e.Value) {
			if sep {
				dst = append(dst, '|')
			}
			dst = append(dst, e.Name...)
			sep = true
			rest &^= e.Value
		}
	}
	return dst
}

// AppendFlagValue appends a flag, enum or mode parameter the way sysdig
// prints it in evt.args: the value (decimal; octal with a leading 0 for
// PT_MODE, "0" for zero), then the names in parentheses if any apply:
// "4097(O_RDONLY|O_CLOEXEC)", "0755(S_IXOTH|...)", "64".
func AppendFlagValue(dst []byte, table string, pt ParamType, v uint64) []byte {
	if pt == PTMode {
		if v == 0 {
			dst = append(dst, '0')
		} else {
			dst = append(dst, '0')
			dst = strconv.AppendUint(dst, v, 8)
		}
	} else {
		dst = strconv.AppendUint(dst, v, 10)
	}
	n := len(dst)
	dst = append(dst, '(')
	dst = FlagNames(table, v, dst)
	if len(dst) == n+1 {
		return dst[:n]
	}
	return append(dst, ')')
}

// FlagKnownToSysdig029 reports whether sysdig 0.29 (saker's decoding
// oracle) renders the named table.
func FlagKnownToSysdig029(table string) bool { return knownToSysdig029[table] }

// FlagNewerThanSysdig029Bits returns the bits of the entries of a table
// that libs added after sysdig 0.29.
func FlagNewerThanSysdig029Bits(table string) uint64 {
	var bits uint64
	t := flagTables[table]
	for _, n := range newerThanSysdig029[table] {
		for _, e := range t.Entries {
			if e.Name == n {
				bits |= e.Value
			}
		}
	}
	return bits
}
