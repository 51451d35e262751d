package drops

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

// research is shared/research/falco, a sibling of the repository.
func research(t *testing.T, rel string) string {
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "research", "falco", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("upstream test data missing: %v", err)
	}
	return p
}

// traceTimes reads every event timestamp of a capture with the scap reader.
func traceTimes(t *testing.T, path string) []uint64 {
	r, err := scap.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var ts []uint64
	var ev event.Event
	for {
		err := r.Next(&ev)
		if errors.Is(err, io.EOF) {
			return ts
		}
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, ev.Timestamp())
	}
}

// loadDropsConfig reads the syscall_event_drops section of a Falco test
// config over saker's defaults, as the config loader does.
func loadDropsConfig(t *testing.T, path string) Config {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := struct {
		Drops Config `yaml:"syscall_event_drops"`
	}{Drops: DefaultConfig()}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc.Drops
}

type replayResult struct {
	exitCode int
	alerts   []*alert.Alert
	stderr   string
	m        *Manager
}

// replay runs what `saker replay` does with the drop manager: every event's
// time goes through ProcessEvent (a capture has no kernel counters), the
// exit action stops the loop with exit code 1, and the summary goes to
// stderr at the end.
func replay(t *testing.T, cfg Config, times []uint64) (replayResult, error) {
	var res replayResult
	var stderr bytes.Buffer
	m, err := New(cfg, Options{
		Alert:  func(a *alert.Alert) { res.alerts = append(res.alerts, a) },
		Logger: slog.New(slog.NewTextHandler(&stderr, nil)),
	})
	if err != nil {
		return res, err
	}
	res.m = m
	for _, ts := range times {
		if err := m.ProcessEvent(ts); err != nil {
			if !errors.Is(err, ErrExit) {
				t.Fatalf("unexpected error %v", err)
			}
			res.exitCode = 1
			break
		}
	}
	_ = m.WriteSummary(&stderr)
	res.stderr = stderr.String()
	return res, nil
}

// expectedChecks is the algorithm's number of one-second checks over a
// sequence of event times: the first event arms a check one second later;
// each event past the armed time is a check and re-arms one second after
// itself.
func expectedChecks(times []uint64) int {
	var next uint64
	n := 0
	for _, ts := range times {
		switch {
		case next == 0:
			next = ts + oneSecond
		case ts > next:
			n++
			next = ts + oneSecond
		}
	}
	return n
}

// TestReplayFalcoDropConfigs replays ping_sendto.scap with the
// syscall_event_drops configs of Falco's regression suite.
func TestReplayFalcoDropConfigs(t *testing.T) {
	times := traceTimes(t, research(t, "traces/falco-test/ping_sendto.scap"))
	checks := expectedChecks(times)
	// The trace spans 9.03 s of event time: nine checks, the count Falco's
	// own tests expect ("event drop detected: 9 occurrences").
	if checks != 9 {
		t.Fatalf("trace: %d events, %d checks; want 9 checks", len(times), checks)
	}
	confs := research(t, "tests/falco-0.34.1/confs")
	summary := func(occ, taken int) string {
		return "Syscall event drop monitoring:\n   - event drop detected: " + itoa(occ) +
			" occurrences\n   - num times actions taken: " + itoa(taken) + "\n"
	}
	const logLine = `msg="Falco internal: syscall event drop. 1 system calls dropped in last second."`

	cases := []struct {
		file    string
		wantErr string
		check   func(t *testing.T, r replayResult)
	}{
		{"drops_threshold_neg.yaml", "syscall event drops threshold must be a double in the range [0, 1]", nil},
		{"drops_threshold_oor.yaml", "syscall event drops threshold must be a double in the range [0, 1]", nil},
		{"drops_ignore_log.yaml", `syscall event drop action "log" does not make sense with the "ignore" action`, nil},
		{"drops_none.yaml", "", func(t *testing.T, r replayResult) {
			// No simulated drops and no kernel counters: nothing happens.
			if !strings.HasSuffix(r.stderr, summary(0, 0)) || len(r.alerts) != 0 || r.exitCode != 0 ||
				strings.Contains(r.stderr, "Falco internal") || int(r.m.Checks()) != checks {
				t.Errorf("stderr %q alerts %d exit %d checks %d", r.stderr, len(r.alerts), r.exitCode, r.m.Checks())
			}
		}},
		{"drops_ignore.yaml", "", func(t *testing.T, r replayResult) {
			if !strings.HasSuffix(r.stderr, summary(checks, checks)) || len(r.alerts) != 0 || strings.Contains(r.stderr, "Falco internal") {
				t.Errorf("stderr %q alerts %d", r.stderr, len(r.alerts))
			}
			if r.m.ActionCount(ActionIgnore) != uint64(checks) {
				t.Errorf("ignore ran %d times", r.m.ActionCount(ActionIgnore))
			}
		}},
		{"drops_log.yaml", "", func(t *testing.T, r replayResult) {
			if !strings.HasSuffix(r.stderr, summary(checks, checks)) || len(r.alerts) != 0 {
				t.Errorf("stderr %q alerts %d", r.stderr, len(r.alerts))
			}
			if n := strings.Count(r.stderr, logLine); n != checks {
				t.Errorf("%d log lines, want %d:\n%s", n, checks, r.stderr)
			}
		}},
		{"drops_alert.yaml", "", func(t *testing.T, r replayResult) {
			if !strings.HasSuffix(r.stderr, summary(checks, checks)) || strings.Contains(r.stderr, logLine) {
				t.Errorf("stderr %q", r.stderr)
			}
			if len(r.alerts) != checks {
				t.Fatalf("%d alerts, want %d", len(r.alerts), checks)
			}
			for i, a := range r.alerts {
				if a.Rule != RuleSyscallEventDrop || a.Priority != alert.PriorityDebug {
					t.Errorf("alert %d: %s %v", i, a.Rule, a.Priority)
				}
				// A capture: no events counted, one simulated drop, not eBPF.
				for k, v := range map[string]string{"n_evts": "0", "n_drops": "1", "n_drops_buffer_total": "0", "ebpf_enabled": "0"} {
					if got, _ := a.Lookup(k); got != v {
						t.Errorf("alert %d %s = %v, want %s", i, k, got, v)
					}
				}
			}
		}},
		{"drops_exit.yaml", "", func(t *testing.T, r replayResult) {
			if r.exitCode != 1 || !strings.HasSuffix(r.stderr, summary(1, 1)) || !strings.Contains(r.stderr, "msg=Exiting.") ||
				!strings.Contains(r.stderr, logLine) || r.m.Checks() != 1 {
				t.Errorf("exit %d checks %d stderr %q", r.exitCode, r.m.Checks(), r.stderr)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(tc.file, ".yaml"), func(t *testing.T) {
			cfg := loadDropsConfig(t, filepath.Join(confs, tc.file))
			r, err := replay(t, cfg, times)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("got %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, r)
		})
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
