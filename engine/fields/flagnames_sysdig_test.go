package fields_test

import (
	"strings"
	"testing"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

// newerFlagNames are the flag names of current libs that sysdig 0.29's
// tables lack: it prints the bare number for them.
var newerFlagNames = map[string]bool{
	"O_F_CREATED": true, "FD_UPPER_LAYER": true, "FD_LOWER_LAYER": true,
	"EXE_UPPER_LAYER": true, "EXE_FROM_MEMFD": true, "EXE_LOWER_LAYER": true,
}

// Every flag, enum and mode parameter of every syscall event type sysdig
// 0.29 knows, with no bit, with each bit set alone and with every bit set, renders in
// evt.args as sysdig 0.29 renders it: the same names, joined the same
// way, for unknown bits and zero values too. Compared are the parameters
// both print (sysdig's older tables have fewer); accepted are the names
// sysdig 0.29 predates (newerFlagNames).
func TestFlagNamesMatchSysdig(t *testing.T) {
	bin := sysdigOracle(t)
	md := oracleProcess("/")
	c := newOracleCapture(t, md)
	flagParam := map[string]bool{} // "EVENT.param" of the parameters set
	for typ := event.Type(0); typ < scap.Sysdig029MaxType; typ++ {
		info := typ.Info()
		if info.Flags&event.FlagUnused != 0 || info.Category&event.CatSyscall == 0 {
			continue
		}
		for fi, fp := range info.Params {
			if !isFlagType(fp.Type) {
				continue
			}
			flagParam[info.Name+"."+fp.Name] = true
			width := 8 * fp.Type.FixedSize()
			// -1: none; width: every bit (names joined, bits left over)
			for bit := -1; bit <= width; bit++ {
				c.emit(typ, func(b *event.Builder) {
					for i, p := range info.Params {
						var v uint64
						switch {
						case i != fi || bit < 0:
						case bit == width:
							v = 1<<width - 1
						default:
							v = 1 << bit
						}
						writeDefault(b, p.Type, v)
					}
				})
			}
		}
	}
	path, evs := c.close()
	lines := sysdigPrint(t, bin, path, []string{"evt.args"}, len(evs))
	values := sakerValues(t, md, evs, []string{"evt.args"})
	compared := 0
	for i, e := range evs {
		saker := argMap(values[i][0])
		for name, want := range argMap(lines[i]) {
			if !flagParam[e.Name()+"."+name] {
				continue // fds and pids: annotated from state, which these events make nonsense of
			}
			got, ok := saker[name]
			if !ok {
				t.Errorf("%s: sysdig prints %s=%s, saker not at all", e.Name(), name, want)
				continue
			}
			compared++
			if got == want || acceptedDiff(got, want) {
				continue
			}
			t.Errorf("%s (%s): %s=%s, sysdig 0.29 %s=%s", e.Name(), e.Type().Info().Code, name, got, name, want)
		}
	}
	if compared < 2000 {
		t.Fatalf("only %d flag values compared: the test proves little", compared)
	}
	t.Logf("%d flag values of %d events compared", compared, len(evs))
}

// acceptedDiff: saker's value is sysdig 0.29's with newer flag names
// added ("16384(O_F_CREATED)" for "16384", "3(O_RDWR|O_F_CREATED)" for
// "3(O_RDWR)").
func acceptedDiff(got, want string) bool {
	num, ann, ok := strings.Cut(got, "(")
	if !ok {
		return false
	}
	var kept []string
	for _, n := range strings.Split(strings.TrimSuffix(ann, ")"), "|") {
		if !newerFlagNames[n] {
			kept = append(kept, n)
		}
	}
	if len(kept) == 0 {
		return want == num
	}
	return want == num+"("+strings.Join(kept, "|")+")"
}

// argMap splits evt.args ("a=1 b=2(X) ") into its values by name.
func argMap(args string) map[string]string {
	m := map[string]string{}
	for _, tok := range strings.Fields(args) {
		if k, v, ok := strings.Cut(tok, "="); ok {
			m[k] = v
		}
	}
	return m
}

func isFlagType(t event.ParamType) bool {
	switch t {
	case event.PTFlags8, event.PTFlags16, event.PTFlags32, event.PTEnumflags8, event.PTEnumflags16, event.PTEnumflags32, event.PTMode:
		return true
	}
	return false
}

// writeDefault writes a parameter of type pt: v for a fixed-size one, a
// small valid value for the others.
func writeDefault(b *event.Builder, pt event.ParamType, v uint64) {
	switch pt.FixedSize() {
	case 1:
		b.Uint8(uint8(v))
	case 2:
		b.Uint16(uint16(v))
	case 4:
		b.Uint32(uint32(v))
	case 8:
		b.Uint64(v)
	case 16:
		b.Bytes(make([]byte, 16))
	default:
		switch pt {
		case event.PTCharbuf, event.PTFspath, event.PTFsrelpath:
			b.String("/x")
		case event.PTSockaddr:
			b.SockAddrUnix("/s")
		case event.PTSocktuple:
			b.SockTupleUnix(1, 2, "/s")
		case event.PTFdlist:
			b.Bytes([]byte{0, 0})
		case event.PTCharbufarray, event.PTCharbufPairArray:
			b.Strings("a", "b")
		case event.PTDyn:
			b.Bytes(make([]byte, 9)) // index 0, then 8 bytes
		default:
			b.Bytes([]byte("ab"))
		}
	}
}
