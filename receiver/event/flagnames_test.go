package event_test

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sakersec/saker/internal/oracle"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

// buildWith builds an event of type t whose parameter idx holds v and
// whose other parameters hold neutral values.
func buildWith(b *event.Builder, t event.Type, idx int, v uint64, ts uint64) []byte {
	b.Begin(t, ts, 100)
	for i, p := range t.Info().Params {
		val := uint64(0)
		if i == idx {
			val = v
		}
		if p.Type.FixedSize() == 16 {
			val = 0 // an IPv6 address: zeros
		}
		if !b.Fixed(p.Type, val) {
			switch p.Type {
			case event.PTCharbuf, event.PTFspath, event.PTFsrelpath:
				b.String("x")
			default:
				b.Empty()
			}
		}
	}
	return b.Finish()
}

type flagProbe struct {
	table string
	typ   event.Type
	idx   int
	value uint64
}

// probeValues are the values checked per table: zero, every entry, every
// single bit, every pair of entries, and all bits of the parameter's width.
func probeValues(t *event.FlagTable, width int) []uint64 {
	max := uint64(1)<<(8*width) - 1
	vals := []uint64{0, max}
	for i := 0; i < 8*width; i++ {
		vals = append(vals, 1<<i)
	}
	for i, a := range t.Entries {
		vals = append(vals, a.Value)
		for _, b := range t.Entries[i+1:] {
			vals = append(vals, a.Value|b.Value)
		}
	}
	return vals
}

// TestFlagNamesMatchSysdig writes a capture with, for every flag table
// sysdig 0.29 knows, events whose flag parameter takes each probe value,
// and compares sysdig's "name=VALUE(NAMES)" with AppendFlagValue.
func TestFlagNamesMatchSysdig(t *testing.T) {
	bin := oracle.Sysdig(t)
	var probes []flagProbe
	seen := map[string]bool{}
	for typ := event.Type(0); typ < scap.Sysdig029MaxType; typ++ {
		for i, p := range typ.Info().Params {
			if !event.FlagKnownToSysdig029(p.Info) || seen[p.Info] {
				continue
			}
			seen[p.Info] = true
			ft := event.LookupFlagTable(p.Info)
			for _, v := range probeValues(ft, p.Type.FixedSize()) {
				if event.FlagNewerThanSysdig029Bits(p.Info)&v != 0 {
					continue // sysdig 0.29 has no name for these bits
				}
				probes = append(probes, flagProbe{p.Info, typ, i, v})
			}
		}
	}
	path := filepath.Join(t.TempDir(), "flags.scap")
	md := &scap.Metadata{Processes: []scap.Process{{Tid: 100, Pid: 100, Ptid: 1, Comm: "x", Exe: "x", Vtid: 100, Vpid: 100, Sid: -1, Vpgid: -1, LoginUID: 0xffffffff}}}
	w, err := scap.Create(path, md, scap.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b event.Builder
	for i, p := range probes {
		if err := w.WriteRaw(buildWith(&b, p.typ, p.idx, p.value, uint64(1e18)+uint64(i)), 0, 0, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-r", path, "-p", "%evt.args")
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) < len(probes) {
		t.Fatalf("sysdig printed %d lines for %d events", len(lines), len(probes))
	}
	checked := map[string]int{}
	bad := 0
	for i, p := range probes {
		pi := p.typ.Info().Params[p.idx]
		re := regexp.MustCompile(`(?:^| )` + regexp.QuoteMeta(pi.Name) + `=(\S*)`)
		m := re.FindStringSubmatch(lines[i])
		if m == nil {
			t.Errorf("%s %v: no %s= in %q", p.table, p.typ, pi.Name, lines[i])
			continue
		}
		got := string(event.AppendFlagValue(nil, p.table, pi.Type, p.value))
		if got != m[1] {
			if bad++; bad < 30 {
				t.Errorf("%s value %#x: saker %q, sysdig %q", p.table, p.value, got, m[1])
			}
		}
		checked[p.table]++
	}
	if len(checked) < 25 {
		t.Errorf("only %d tables checked", len(checked))
	}
	t.Logf("checked %d values in %d tables against sysdig", len(probes), len(checked))
}

// TestFlagNamesNewer checks tables and entries sysdig 0.29 does not know
// against the values of libs' ppm_events_public.h.
func TestFlagNamesNewer(t *testing.T) {
	cases := []struct {
		table string
		v     uint64
		want  string
	}{
		{"file_flags", 1 | 1<<12 | 1<<14, "O_RDONLY|O_CLOEXEC|O_F_CREATED"},
		{"file_flags", 1<<15 | 2, "O_WRONLY|FD_UPPER_LAYER"},
		{"file_flags", 0, "O_NONE"},
		{"memfd_create_flags", 3, "MFD_CLOEXEC|MFD_ALLOW_SEALING"},
		{"bpf_commands", 5, "BPF_PROG_LOAD"},
		{"bpf_commands", 0, "BPF_MAP_CREATE"},
		{"prctl_options", 15, "PR_SET_NAME"},
		{"keyctl_operations", 11, "KEYCTL_READ"},
		{"fsconfig_cmds", 6, "FSCONFIG_CMD_CREATE"},
		{"io_uring_setup_flags", 3, "IORING_SETUP_IOPOLL|IORING_SETUP_SQPOLL"},
		{"newfstatat_flags", 0x1100, "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH"},
		{"close_range_flags", 4, "CLOSE_RANGE_CLOEXEC"},
		{"mlockall_flags", 7, "MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT"},
		{"clone_flags", 0, ""},
		{"no_such_table", 1, ""},
	}
	for _, c := range cases {
		if got := string(event.FlagNames(c.table, c.v, nil)); got != c.want {
			t.Errorf("%s %#x: %q, want %q", c.table, c.v, got, c.want)
		}
	}
	if got := string(event.AppendFlagValue(nil, "chmod_mode", event.PTMode, 0o755)); got != "0755(S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR)" {
		t.Errorf("mode: %s", got)
	}
	if got := string(event.AppendFlagValue(nil, "access_flags", event.PTFlags32, 64)); got != "64" {
		t.Errorf("unnamed bits: %s", got)
	}
	// Every flag table the event table names has names here (DYN tables
	// and dirfd references are not flag tables).
	for typ := event.Type(0); typ < event.MaxType; typ++ {
		for _, p := range typ.Info().Params {
			if p.Info == "" || strings.HasPrefix(p.Info, "DIRFD_PARAM") || p.Type == event.PTDyn || p.Info == "anon_inode_fd_types" {
				continue
			}
			if event.LookupFlagTable(p.Info) == nil {
				t.Errorf("%v %s: no flag table %q", typ, p.Name, p.Info)
			}
		}
	}
	if allocs := testing.AllocsPerRun(100, func() {
		var buf [64]byte
		_ = event.FlagNames("file_flags", 4097, buf[:0])
	}); allocs != 0 {
		t.Errorf("FlagNames allocates %v", allocs)
	}
	_ = fmt.Sprint()
}
