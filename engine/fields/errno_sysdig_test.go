package fields_test

import (
	"testing"

	"github.com/sakersec/saker/internal/oracle"
	"github.com/sakersec/saker/receiver/event"
)

// evt.res, evt.args and evt.arg.res of a failed call against sysdig 0.29,
// for every errno value 1-139 and 500-539 (the named ones and their
// neighbours): the errno name where libs has one, the number where it has
// none.
func TestErrnoNamesMatchSysdig(t *testing.T) {
	bin := oracle.Sysdig(t)
	md := oracleProcess("/")
	c := newOracleCapture(t, md)
	add := func(n int64) {
		// res only: sysdig 0.29's close has no fd parameter
		c.emit(event.SyscallCloseX, func(b *event.Builder) { b.Int64(-n) })
	}
	for n := int64(1); n < 140; n++ {
		add(n)
	}
	for n := int64(500); n < 540; n++ {
		add(n)
	}
	path, evs := c.close()
	compareWithSysdig(t, bin, path, md, evs, []string{"evt.res", "evt.args", "evt.arg.res"})
}
