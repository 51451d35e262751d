package metrics

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// DefaultStatsInterval is --stats-interval's default.
const DefaultStatsInterval = 5000 * time.Millisecond

// StatsWriter writes the counters to a file as JSON lines, one per
// interval (--stats-file PATH, --stats-interval MS). Each line is
//
//	{"sample":N,"time":"<RFC 3339 UTC>",
//	 "cur":{"events":E,"drops":D,"preemptions":0},
//	 "delta":{"events":dE,"drops":dD,"preemptions":0},"drop_pct":P,
//	 "metrics":{"saker_events_dropped_total{reason=\"ring_buffer_full\"}":D, ...}}
//
// "cur", "delta" and "drop_pct" are the keys of Falco's old stats file
// (events: the kernel's n_evts, or the events received when there is no
// kernel; drops: events lost in the kernel; drop_pct: delta drops per delta
// events × 100); "metrics" holds every saker_* series of /metrics under its
// exposition name, read from the same registry, so the two never disagree.
type StatsWriter struct {
	f        *os.File
	w        *bufio.Writer
	g        prometheus.Gatherer
	log      *slog.Logger
	stop     chan struct{}
	done     chan struct{}
	mu       sync.Mutex // serialises writes (ticker vs Close)
	sample   uint64
	prev     statsCounts
	closeErr error
	once     sync.Once
}

type statsCounts struct {
	Events      uint64 `json:"events"`
	Drops       uint64 `json:"drops"`
	Preemptions uint64 `json:"preemptions"`
}

type statsLine struct {
	Sample  uint64             `json:"sample"`
	Time    string             `json:"time"`
	Cur     statsCounts        `json:"cur"`
	Delta   statsCounts        `json:"delta"`
	DropPct float64            `json:"drop_pct"`
	Metrics map[string]float64 `json:"metrics"`
}

// StartStatsWriter creates (truncates) path and writes a line every
// interval until Close, which writes a last one.
func StartStatsWriter(path string, interval time.Duration, g prometheus.Gatherer, log *slog.Logger) (*StatsWriter, error) {
	if interval <= 0 {
		return nil, fmt.Errorf("--stats-interval: must be > 0 ms, got %v", interval)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("--stats-file: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &StatsWriter{f: f, w: bufio.NewWriter(f), g: g, log: log, stop: make(chan struct{}), done: make(chan struct{})}
	go s.run(interval)
	return s, nil
}

func (s *StatsWriter) run(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			if err := s.write(now); err != nil {
				s.log.Error("stats file write failed", "err", err)
			}
		}
	}
}

// write gathers and appends one line.
func (s *StatsWriter) write(now time.Time) error {
	fams, err := s.g.Gather()
	if err != nil && len(fams) == 0 {
		return err
	}
	line := statsLine{Time: now.UTC().Format(time.RFC3339Nano), Metrics: map[string]float64{}}
	var received, kernelEvents uint64
	haveKernel := false
	for _, mf := range fams {
		name := mf.GetName()
		if !strings.HasPrefix(name, "saker_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			v := value(mf.GetType(), m)
			line.Metrics[seriesName(name, m)] = v
			switch name {
			case "saker_kernel_events_total":
				kernelEvents, haveKernel = uint64(v), true
			case "saker_events_received_total":
				received += uint64(v)
			case "saker_events_dropped_total":
				if r := label(m, "reason"); r == ReasonRingBufferFull || r == ReasonScratchMap || r == ReasonEventTooLarge {
					line.Cur.Drops += uint64(v)
				}
			}
		}
	}
	line.Cur.Events = received
	if haveKernel {
		line.Cur.Events = kernelEvents
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.sample++
	line.Sample = s.sample
	line.Delta = statsCounts{Events: sub(line.Cur.Events, s.prev.Events), Drops: sub(line.Cur.Drops, s.prev.Drops)}
	if line.Delta.Events > 0 {
		line.DropPct = float64(line.Delta.Drops) / float64(line.Delta.Events) * 100
	}
	s.prev = line.Cur
	b, err := json.Marshal(line)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if _, err := s.w.Write(b); err != nil {
		return err
	}
	return s.w.Flush()
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

func value(t dto.MetricType, m *dto.Metric) float64 {
	switch t {
	case dto.MetricType_COUNTER:
		return m.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		return m.GetGauge().GetValue()
	case dto.MetricType_UNTYPED:
		return m.GetUntyped().GetValue()
	}
	return 0
}

func label(m *dto.Metric, name string) string {
	for _, lp := range m.GetLabel() {
		if lp.GetName() == name {
			return lp.GetValue()
		}
	}
	return ""
}

// seriesName renders name{l1="v1",...} as in the text exposition (labels
// arrive sorted from Gather).
func seriesName(name string, m *dto.Metric) string {
	if len(m.GetLabel()) == 0 {
		return name
	}
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('{')
	for i, lp := range m.GetLabel() {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", lp.GetName(), lp.GetValue())
	}
	b.WriteByte('}')
	return b.String()
}

// Close stops the ticker, writes a last line and closes the file.
func (s *StatsWriter) Close() error {
	s.once.Do(func() {
		close(s.stop)
		<-s.done
		err := s.write(time.Now())
		s.closeErr = errors.Join(err, s.f.Close())
	})
	return s.closeErr
}
