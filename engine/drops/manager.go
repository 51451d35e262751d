package drops

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/sakersec/saker/engine/alert"
)

// ErrExit is returned by [Manager.ProcessEvent] when the exit action ran:
// the caller stops and exits with a non-zero status.
var ErrExit = errors.New("syscall event drop: exit action")

const oneSecond = uint64(time.Second)

// Manager is the syscall event drop manager. Build it with [New].
type Manager struct {
	// next is the event time after which the next check runs; 0 before the
	// first event. It is first so the hot path touches one cache line.
	next uint64

	actions   []Action
	threshold float64
	simulate  bool
	bucket    *TokenBucket
	opts      Options
	log       *slog.Logger
	last      Counters

	occurrences atomic.Uint64
	taken       atomic.Uint64
	byAction    [NumActions]atomic.Uint64
	checks      atomic.Uint64
}

// New validates cfg and returns a manager.
func New(cfg Config, opts Options) (*Manager, error) {
	actions, err := cfg.ParseActions()
	if err != nil {
		return nil, err
	}
	m := &Manager{
		actions:   actions,
		threshold: cfg.Threshold,
		simulate:  cfg.SimulateDrops,
		bucket:    NewTokenBucket(cfg.Rate, cfg.MaxBurst),
		opts:      opts,
		log:       opts.logger(),
	}
	if m.simulate {
		m.threshold = 0
	}
	return m, nil
}

// ProcessEvent is called with the timestamp (ns) of every event, in the
// order the event loop sees them. It returns [ErrExit] when the exit action
// ran, and nil otherwise. Between checks it is one compare.
func (m *Manager) ProcessEvent(ts uint64) error {
	if ts <= m.next {
		return nil
	}
	return m.check(ts)
}

func (m *Manager) check(ts uint64) error {
	if m.next == 0 {
		m.next = ts + oneSecond
		return nil
	}
	m.next = ts + oneSecond
	m.checks.Add(1)

	var cur Counters
	if m.opts.Counters != nil {
		m.opts.Counters(&cur)
	}
	delta := cur.sub(&m.last)
	m.last = cur

	if m.simulate {
		m.log.Info("Simulating syscall event drop")
		delta.NDrops++
	}
	if delta.NDrops == 0 {
		return nil
	}
	// NEvts includes the drops; 0 events (a capture with simulated drops)
	// makes the ratio +Inf, which is above any threshold, as in Falco.
	if ratio := float64(delta.NDrops) / float64(delta.NEvts); !(ratio > m.threshold) {
		return nil
	}
	m.occurrences.Add(1)
	if !m.bucket.Claim(ts) {
		m.log.Debug("Syscall event drop but token bucket depleted, skipping actions")
		return nil
	}
	m.taken.Add(1)
	return m.perform(ts, &delta)
}

func (m *Manager) perform(ts uint64, d *Counters) error {
	msg := RuleSyscallEventDrop + ". " + strconv.FormatUint(d.NDrops, 10) + " system calls dropped in last second."
	for _, a := range m.actions {
		m.byAction[a].Add(1)
		switch a {
		case ActionLog:
			m.log.Error(msg, "n_evts", d.NEvts, "n_drops", d.NDrops, "n_drops_buffer_total", d.NDropsBuffer,
				"n_drops_scratch_map", d.NDropsScratchMap)
		case ActionAlert:
			if m.opts.Alert != nil {
				m.opts.Alert(m.dropAlert(ts, msg, d))
			}
		case ActionExit:
			m.log.Error(msg)
			m.log.Error("Exiting.")
			return ErrExit
		}
	}
	return nil
}

// dropAlert builds Falco's drop alert: priority Debug, output fields all
// strings.
func (m *Manager) dropAlert(ts uint64, msg string, d *Counters) *alert.Alert {
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	ebpf := "0"
	if m.opts.EBPF {
		ebpf = "1"
	}
	fields := make([]alert.Field, 0, 7+NumBufferCategories)
	fields = append(fields,
		alert.Field{Name: "n_evts", Value: u(d.NEvts)},
		alert.Field{Name: "n_drops", Value: u(d.NDrops)},
		alert.Field{Name: "n_drops_buffer_total", Value: u(d.NDropsBuffer)},
		alert.Field{Name: "n_drops_scratch_map", Value: u(d.NDropsScratchMap)},
		alert.Field{Name: "n_drops_page_faults", Value: u(d.NDropsPageFaults)},
		alert.Field{Name: "n_drops_bug", Value: u(d.NDropsBug)},
		alert.Field{Name: "ebpf_enabled", Value: ebpf},
	)
	for c := range NumBufferCategories {
		fields = append(fields, alert.Field{
			Name:  "n_drops_buffer_" + BufferCategory(c).String() + "_exit",
			Value: u(d.NDropsBufferExit[c]),
		})
	}
	return m.opts.internalAlert(time.Unix(0, int64(ts)), RuleSyscallEventDrop, msg, fields)
}

// Occurrences is how many checked seconds had drops above the threshold.
func (m *Manager) Occurrences() uint64 { return m.occurrences.Load() }

// ActionsTaken is how many occurrences got a token and ran the actions.
func (m *Manager) ActionsTaken() uint64 { return m.taken.Load() }

// ActionCount is how many times action a ran.
func (m *Manager) ActionCount(a Action) uint64 {
	if int(a) >= NumActions {
		return 0
	}
	return m.byAction[a].Load()
}

// Checks is how many one-second checks ran.
func (m *Manager) Checks() uint64 { return m.checks.Load() }

// WriteSummary writes Falco's shutdown summary to w (stderr).
func (m *Manager) WriteSummary(w io.Writer) error {
	_, err := fmt.Fprintf(w, "Syscall event drop monitoring:\n   - event drop detected: %d occurrences\n   - num times actions taken: %d\n",
		m.Occurrences(), m.ActionsTaken())
	return err
}
