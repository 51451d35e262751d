package outputs

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/internal/testenv"
)

// A falco.yaml's output section decodes into Config unchanged.
func TestFalcoYAMLKeys(t *testing.T) {
	src := `
json_output: true
json_include_output_property: true
json_include_message_property: true
json_include_output_fields_property: false
json_include_tags_property: true
buffered_outputs: true
outputs:
  rate: 5
  max_burst: 20
outputs_queue:
  capacity: 123
stdout_output:
  enabled: false
syslog_output:
  enabled: true
file_output:
  enabled: true
  keep_alive: true
  filename: /var/log/saker/events.txt
program_output:
  enabled: true
  keep_alive: false
  program: "jq '{text: .output}' | curl -d @- -X POST https://hooks.example/xxx"
http_output:
  enabled: true
  url: http://sidekick:2801/
  user_agent: "falcosecurity/falco"
  insecure: false
  ca_cert: ""
  ca_bundle: ""
  ca_path: "/etc/ssl/certs"
  mtls: false
  client_cert: "/etc/ssl/certs/client.crt"
  client_key: "/etc/ssl/certs/client.key"
  echo: false
  compress_uploads: false
  keep_alive: false
  max_consecutive_timeouts: 5
otlp_output:
  enabled: true
  endpoint: http://otel-collector:4317
  protocol: grpc
  headers: {x-scope-orgid: tenant}
  compression: gzip
  timeout: 3s
  queue: {size: 2000}
  batch: {max_size: 100, timeout: 1s}
  resource: {attributes: {k8s.cluster.name: prod}, promote_subject: true}
`
	cfg := Default()
	if err := yaml.Unmarshal([]byte(src), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	f := cfg.Format()
	if !f.JSON || !f.JSONOptions.IncludeMessage || f.JSONOptions.IncludeOutputFields || !cfg.BufferedOutputs {
		t.Errorf("format %+v", f)
	}
	if cfg.Outputs.Rate != 5 || cfg.Outputs.MaxBurst != 20 || cfg.OutputsQueue.Capacity != 123 || cfg.Stdout.Enabled {
		t.Errorf("top level %+v", cfg)
	}
	if !cfg.File.KeepAlive || cfg.File.Filename != "/var/log/saker/events.txt" || !strings.HasPrefix(cfg.Program.Program, "jq") {
		t.Errorf("file/program %+v %+v", cfg.File, cfg.Program)
	}
	if cfg.HTTP.URL != "http://sidekick:2801/" || cfg.HTTP.UserAgent != "falcosecurity/falco" || cfg.HTTP.MaxConsecutiveTimeouts != 5 {
		t.Errorf("http %+v", cfg.HTTP)
	}
	o := cfg.OTLP
	if o.Endpoint != "http://otel-collector:4317" || o.Headers["x-scope-orgid"] != "tenant" || o.Timeout != 3*time.Second ||
		o.Queue.Size != 2000 || o.Batch.MaxSize != 100 || !o.Resource.PromoteSubject || o.Resource.Attributes["k8s.cluster.name"] != "prod" ||
		!o.Retry.Enabled {
		t.Errorf("otlp %+v", o)
	}
}

func TestDefaultsValidate(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.File.Enabled, c.File.Filename = true, ""
	c.Outputs.Rate = -1
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "outputs.rate") {
		t.Errorf("got %v", err)
	}
	c.Outputs.Rate = 0
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "file_output.filename") {
		t.Errorf("got %v", err)
	}
}

func countLines(t *testing.T, p string) int {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

// Every output enabled, pointing at real local endpoints. Alerts are
// queued, the process receives SIGTERM, and the handler closes the
// dispatcher as the CLI does: every output must have delivered every alert.
func TestSIGTERMFlushesAllOutputs(t *testing.T) {
	const n = 1500
	dir := t.TempDir()

	stdoutPath := filepath.Join(dir, "stdout")
	stdoutFile, err := os.Create(stdoutPath)
	if err != nil {
		t.Fatal(err)
	}
	defer stdoutFile.Close()

	sock := filepath.Join(dir, "log")
	syslogSrv, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer syslogSrv.Close()
	var syslogCount atomic.Int64
	go func() {
		buf := make([]byte, 65536)
		for {
			if _, err := syslogSrv.Read(buf); err != nil {
				return
			}
			syslogCount.Add(1)
		}
	}()

	var httpCount atomic.Int64
	httpSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { httpCount.Add(1) }))
	defer httpSrv.Close()

	sink := testenv.StartLogSink(t)

	cfg := Default()
	cfg.JSONOutput = true
	cfg.OutputsQueue.Capacity = 2 * n
	cfg.Syslog.Socket = sock
	cfg.File.Enabled, cfg.File.Filename = true, filepath.Join(dir, "events.txt")
	progOut := filepath.Join(dir, "program.txt")
	cfg.Program.Enabled, cfg.Program.KeepAlive, cfg.Program.Program = true, true, fmt.Sprintf("cat >> '%s'", progOut)
	cfg.HTTP.Enabled, cfg.HTTP.URL, cfg.HTTP.KeepAlive = true, httpSrv.URL, true
	cfg.OTLP.Enabled, cfg.OTLP.Endpoint, cfg.OTLP.TLS.Insecure = true, sink.Endpoint, true
	cfg.OTLP.Queue.Size = 2 * n
	d, err := New(cfg, Settings{Version: "t", Stdout: stdoutFile})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 6 {
		t.Fatalf("%d outputs, want 6", d.Len())
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	defer signal.Stop(sigs)

	a := &alert.Alert{Time: time.Now(), Rule: "r", Priority: alert.PriorityWarning, Output: "w", Source: alert.SourceSyscall,
		Fields: []alert.Field{{Name: "proc.name", Value: "x"}}, Tags: []string{"t"}, Hostname: "h"}
	for range n {
		d.Enqueue(a)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-sigs:
	case <-time.After(10 * time.Second):
		t.Fatal("no SIGTERM")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range d.Stats(nil) {
		if s.Received != n || s.Exported != n || s.DroppedTotal() != 0 {
			t.Errorf("%s: %+v", s.Output, s)
		}
	}
	// And the receivers saw them.
	deadline := time.Now().Add(5 * time.Second)
	for syslogCount.Load() < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	got := map[string]int{
		"stdout":  countLines(t, stdoutPath),
		"file":    countLines(t, cfg.File.Filename),
		"program": countLines(t, progOut),
		"syslog":  int(syslogCount.Load()),
		"http":    int(httpCount.Load()),
		"otlp":    sink.Count(),
	}
	for k, v := range got {
		if v != n {
			t.Errorf("%s received %d of %d", k, v, n)
		}
	}
}
