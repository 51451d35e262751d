package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Prometheus is a real Prometheus server (the Debian package's binary)
// started by a test on a free loopback port, scraping the given targets.
type Prometheus struct {
	// URL is the server's base URL, http://127.0.0.1:port.
	URL string

	cmd     *exec.Cmd
	exit    chan error
	logPath string
}

// PromSample is one series of an instant-vector query result.
type PromSample struct {
	Labels map[string]string
	Value  float64
}

// StartPrometheus starts `prometheus` with a generated config that scrapes
// each target (host:port, path /metrics) every interval, with its TSDB in a
// temporary directory, and waits until its API answers. It is stopped when
// the test ends. A missing binary or a failed start skips the test, and
// fails it under CI=true (hack/deps.sh installs the package).
func StartPrometheus(tb testing.TB, interval time.Duration, targets ...string) *Prometheus {
	tb.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		Unavailable(tb, "prometheus not installed (apt-get install prometheus): %v", err)
	}
	dir := tb.TempDir()
	quoted := make([]string, len(targets))
	for i, t := range targets {
		quoted[i] = strconv.Quote(t)
	}
	cfg := fmt.Sprintf(`global:
  scrape_interval: %s
  scrape_timeout: %s
  evaluation_interval: %s
scrape_configs:
  - job_name: saker
    static_configs:
      - targets: [%s]
`, promDuration(interval), promDuration(interval), promDuration(interval), strings.Join(quoted, ", "))
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		tb.Fatal(err)
	}
	var p *Prometheus
	for attempt := 0; ; attempt++ {
		p, err = startPrometheus(bin, dir, cfgPath)
		if err == nil {
			break
		}
		if attempt == 2 {
			Unavailable(tb, "prometheus did not start: %v", err)
		}
	}
	tb.Cleanup(func() {
		p.stop()
		if tb.Failed() {
			tb.Logf("prometheus log (tail):\n%s", tailFile(p.logPath, 30))
		}
	})
	return p
}

func promDuration(d time.Duration) string {
	if d <= 0 {
		d = time.Second
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}

func startPrometheus(bin, dir, cfgPath string) (*Prometheus, error) {
	ports, err := FreePorts(1)
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	p := &Prometheus{URL: "http://" + addr, exit: make(chan error, 1), logPath: filepath.Join(dir, "prometheus.log")}
	logf, err := os.Create(p.logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	data := filepath.Join(dir, "data")
	p.cmd = exec.Command(bin, "--config.file="+cfgPath, "--storage.tsdb.path="+data,
		"--web.listen-address="+addr, "--log.level=warn")
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.exit <- p.cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-p.exit:
			return nil, fmt.Errorf("prometheus exited: %v\n%s", err, tailFile(p.logPath, 20))
		default:
		}
		resp, err := http.Get(p.URL + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("prometheus not ready after 30 s\n%s", tailFile(p.logPath, 20))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *Prometheus) stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exit:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exit
	}
	p.cmd = nil
}

// Query runs an instant PromQL query through the HTTP API
// (/api/v1/query) and returns the vector (a scalar result comes back as one
// sample without labels).
func (p *Prometheus) Query(ctx context.Context, promql string) ([]PromSample, error) {
	u := p.URL + "/api/v1/query?query=" + url.QueryEscape(promql)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("query %q: %v: %.200s", promql, err, body)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", promql, r.Error)
	}
	parse := func(pair []any) (float64, error) {
		if len(pair) != 2 {
			return 0, fmt.Errorf("bad sample %v", pair)
		}
		s, _ := pair[1].(string)
		return strconv.ParseFloat(s, 64)
	}
	switch r.Data.ResultType {
	case "vector":
		var vec []struct {
			Metric map[string]string `json:"metric"`
			Value  []any             `json:"value"`
		}
		if err := json.Unmarshal(r.Data.Result, &vec); err != nil {
			return nil, err
		}
		out := make([]PromSample, 0, len(vec))
		for _, s := range vec {
			v, err := parse(s.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, PromSample{Labels: s.Metric, Value: v})
		}
		return out, nil
	case "scalar":
		var pair []any
		if err := json.Unmarshal(r.Data.Result, &pair); err != nil {
			return nil, err
		}
		v, err := parse(pair)
		if err != nil {
			return nil, err
		}
		return []PromSample{{Value: v}}, nil
	default:
		return nil, fmt.Errorf("query %q: result type %q not handled", promql, r.Data.ResultType)
	}
}

// WaitQuery polls promql until ok accepts the result or timeout passes,
// and returns the last result. It fails the test on timeout.
func (p *Prometheus) WaitQuery(tb testing.TB, promql string, timeout time.Duration, ok func([]PromSample) bool) []PromSample {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	var last []PromSample
	var lastErr error
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		last, lastErr = p.Query(ctx, promql)
		cancel()
		if lastErr == nil && ok(last) {
			return last
		}
		if time.Now().After(deadline) {
			tb.Fatalf("prometheus: %q did not give the expected result within %v: last %v, err %v", promql, timeout, last, lastErr)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
