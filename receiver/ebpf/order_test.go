package ebpf

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/sakersec/saker/receiver/event"
)

// Run merges the per-CPU rings by timestamp: within a CPU the order is
// exact; across CPUs an event can only come after a younger one when its
// producer had not committed it yet when the reader looked.
func TestDeliveryOrder(t *testing.T) {
	p := openProbe(t, Config{Syscalls: []string{"openat", "close"}})
	var cmds []*exec.Cmd
	for _, cpu := range []string{"0", "1"} {
		cmd := workloads.Command("openloop", "200000", cpu)
		stdin, _ := cmd.StdinPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer stdin.Close()
		cmds = append(cmds, cmd)
		stdin.Write([]byte("go\n"))
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for _, c := range cmds {
			c.Wait()
		}
		time.Sleep(100 * time.Millisecond)
		cancel()
	}()
	var last [256]uint64
	var prev uint64
	var n, inversions, perCPU int
	cpus := map[uint16]int{}
	p.Run(ctx, func(ev *event.Event) {
		ts := ev.Timestamp()
		if ts < last[ev.CPU&255] {
			perCPU++
		}
		last[ev.CPU&255] = ts
		if ts < prev {
			inversions++
		}
		prev = max(prev, ts)
		cpus[ev.CPU]++
		n++
	})
	t.Logf("%d events (by CPU %v), %d delivered after a younger one", n, cpus, inversions)
	if len(cpus) < 2 {
		t.Skip("events came from one CPU only")
	}
	eq(t, "per-CPU order violations", perCPU, 0)
	if float64(inversions) > 0.01*float64(n) {
		t.Errorf("%d of %d events out of global order", inversions, n)
	}
}
