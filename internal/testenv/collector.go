package testenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// CollectorOptions shape the generated collector config.
type CollectorOptions struct {
	// ForwardTo, when set, adds the collector's OTLP/gRPC exporter sending
	// logs to this plaintext host:port (typically a [LogSink]).
	ForwardTo string
	// Debug adds the debug exporter at basic verbosity, so the collector
	// has a logs pipeline even without ForwardTo.
	Debug bool
	// ExporterExtra is YAML (indented for the exporter body) appended to the
	// forwarding exporter's config, e.g. retry or queue settings.
	ExporterExtra string
	// TLS, when set, makes both receivers serve TLS with the server
	// certificate of these test certs; with MutualTLS they also demand a
	// client certificate signed by the test CA.
	TLS       *Certs
	MutualTLS bool
}

// Collector is a running (or stopped) test collector process.
type Collector struct {
	// GRPCEndpoint is the OTLP/gRPC receiver, host:port.
	GRPCEndpoint string
	// HTTPEndpoint is the OTLP/HTTP receiver base URL, http://host:port
	// (https:// with TLS).
	HTTPEndpoint string
	// MetricsURL is the collector's own Prometheus endpoint.
	MetricsURL string

	bin, cfgPath, logPath string

	mu   sync.Mutex
	cmd  *exec.Cmd
	exit chan error
}

// StartCollector builds (if needed) and starts a collector with a generated
// config on free loopback ports. It is stopped when the test ends. Under
// CI=true any failure fails the test; otherwise the test is skipped.
func StartCollector(tb testing.TB, opts CollectorOptions) *Collector {
	tb.Helper()
	bin, took, err := CollectorBinary()
	if err != nil {
		Unavailable(tb, "collector not available: %v", err)
	}
	if took > 0 {
		tb.Logf("testenv: built the collector in %v", took.Round(time.Second))
	}
	dir := tb.TempDir()
	var c *Collector
	// A free port found now may be taken before the collector binds it;
	// retry with new ports a few times.
	for attempt := 0; ; attempt++ {
		c, err = newCollector(bin, dir, opts)
		if err == nil {
			err = c.Start()
		}
		if err == nil {
			break
		}
		if attempt == 2 {
			Unavailable(tb, "collector did not start: %v", err)
		}
	}
	tb.Cleanup(func() {
		if err := c.Stop(); err != nil {
			tb.Logf("testenv: stopping collector: %v", err)
		}
		if tb.Failed() {
			tb.Logf("collector log (tail):\n%s", tailFile(c.logPath, 40))
		}
	})
	return c
}

func newCollector(bin, dir string, opts CollectorOptions) (*Collector, error) {
	ports, err := FreePorts(3)
	if err != nil {
		return nil, err
	}
	c := &Collector{
		GRPCEndpoint: "127.0.0.1:" + strconv.Itoa(ports[0]),
		HTTPEndpoint: "http://127.0.0.1:" + strconv.Itoa(ports[1]),
		MetricsURL:   "http://127.0.0.1:" + strconv.Itoa(ports[2]) + "/metrics",
		bin:          bin,
		cfgPath:      filepath.Join(dir, "collector.yaml"),
		logPath:      filepath.Join(dir, "collector.log"),
	}
	var exporters, names []string
	if opts.ForwardTo != "" {
		exporters = append(exporters, fmt.Sprintf("  otlp_grpc/sink:\n    endpoint: %s\n    tls: {insecure: true}\n%s", opts.ForwardTo, opts.ExporterExtra))
		names = append(names, "otlp_grpc/sink")
	}
	if opts.Debug || len(names) == 0 {
		exporters = append(exporters, "  debug:\n    verbosity: basic\n")
		names = append(names, "debug")
	}
	tlsYAML := ""
	if opts.TLS != nil {
		tlsYAML = fmt.Sprintf(", tls: {cert_file: %q, key_file: %q", opts.TLS.ServerCertFile, opts.TLS.ServerKey)
		if opts.MutualTLS {
			tlsYAML += fmt.Sprintf(", client_ca_file: %q", opts.TLS.CAFile)
		}
		tlsYAML += "}"
		c.HTTPEndpoint = "https://" + strings.TrimPrefix(c.HTTPEndpoint, "http://")
	}
	cfg := fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc: {endpoint: "127.0.0.1:%[1]d"%[5]s}
      http: {endpoint: "127.0.0.1:%[2]d"%[5]s}
exporters:
%[3]s
service:
  telemetry:
    logs: {level: warn}
    metrics:
      level: detailed
      readers:
        - pull: {exporter: {prometheus: {host: 127.0.0.1, port: %[4]d}}}
  pipelines:
    logs: {receivers: [otlp], exporters: [%[6]s]}
`, ports[0], ports[1], strings.Join(exporters, ""), ports[2], tlsYAML, strings.Join(names, ", "))
	if err := os.WriteFile(c.cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	return c, nil
}

// ConfigPath is the generated config file, for error messages.
func (c *Collector) ConfigPath() string { return c.cfgPath }

// Start runs the collector (again) and waits until its ports accept
// connections. It is an error to start a running collector.
func (c *Collector) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd != nil {
		return errors.New("testenv: collector already running")
	}
	logf, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(c.bin, "--config", c.cfgPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	exit := make(chan error, 1)
	go func() { exit <- cmd.Wait(); logf.Close() }()
	c.cmd, c.exit = cmd, exit

	deadline := time.Now().Add(30 * time.Second)
	httpHost := strings.TrimPrefix(strings.TrimPrefix(c.HTTPEndpoint, "http://"), "https://")
	for _, addr := range []string{c.GRPCEndpoint, httpHost, strings.TrimPrefix(strings.TrimSuffix(c.MetricsURL, "/metrics"), "http://")} {
		for {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				conn.Close()
				break
			}
			select {
			case err := <-exit:
				c.cmd = nil
				return fmt.Errorf("collector exited at start (%v):\n%s", err, tailFile(c.logPath, 20))
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				c.stopLocked()
				return fmt.Errorf("collector not listening on %s after 30s:\n%s", addr, tailFile(c.logPath, 20))
			}
		}
	}
	return nil
}

// Stop sends SIGTERM, so the collector drains its pipelines, and waits for
// it to exit (SIGKILL after 20 s). Stopping a stopped collector is a no-op.
func (c *Collector) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopLocked()
}

func (c *Collector) stopLocked() error {
	if c.cmd == nil {
		return nil
	}
	defer func() { c.cmd = nil }()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.exit:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			return err
		}
		return nil
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exit
		return errors.New("testenv: collector did not stop on SIGTERM within 20s; killed")
	}
}

// Log returns the collector's log so far.
func (c *Collector) Log() string {
	b, _ := os.ReadFile(c.logPath)
	return string(b)
}

// Metric scrapes the collector's own metrics and returns the sum of all
// series of the named metric whose labels contain every labelFilter
// (`name="value"` fragments). A metric that is absent reads as 0.
func (c *Collector) Metric(name string, labelFilters ...string) (float64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.MetricsURL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) {
			continue
		}
		rest := line[len(name):]
		if rest == "" || (rest[0] != '{' && rest[0] != ' ') {
			continue // a longer metric name with this prefix
		}
		ok := true
		for _, f := range labelFilters {
			if !strings.Contains(rest, f) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		i := strings.LastIndexByte(rest, ' ')
		v, err := strconv.ParseFloat(rest[i+1:], 64)
		if err != nil {
			return 0, fmt.Errorf("metric line %q: %w", line, err)
		}
		sum += v
	}
	return sum, sc.Err()
}

// FreePorts returns n distinct free TCP ports on 127.0.0.1. They are free
// when returned; a caller racing other processes should retry on a bind error.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
