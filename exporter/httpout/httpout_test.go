package httpout

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/internal/testenv"
)

// sidekick checks each POST the way falcosidekick's handler does before it
// accepts a Falco payload: JSON (numbers kept exact), a known priority, a
// non-empty rule, a non-zero time, non-empty output_fields; and that the
// other keys it forwards are there with the right types.
type sidekick struct {
	mu       sync.Mutex
	accepted []map[string]any
	problems []string
	headers  []http.Header
}

var priorities = map[string]bool{"emergency": true, "alert": true, "critical": true, "error": true, "warning": true, "notice": true, "informational": true, "info": true, "debug": true}

func (s *sidekick) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.headers = append(s.headers, r.Header.Clone())
	bad := func(f string, a ...any) {
		s.problems = append(s.problems, strings.TrimSpace(strings.ReplaceAll(fmtS(f, a...), "\n", " ")))
		http.Error(w, "bad request", http.StatusBadRequest)
	}
	if r.Method != http.MethodPost {
		bad("method %s", r.Method)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			bad("gzip: %v", err)
			return
		}
		body = zr
	}
	dec := json.NewDecoder(body)
	dec.UseNumber()
	var p map[string]any
	if err := dec.Decode(&p); err != nil {
		bad("json: %v", err)
		return
	}
	if pr, _ := p["priority"].(string); !priorities[strings.ToLower(pr)] {
		bad("priority %v", p["priority"])
		return
	}
	if rule, _ := p["rule"].(string); rule == "" {
		bad("empty rule")
		return
	}
	ts, _ := p["time"].(string)
	if tm, err := time.Parse(time.RFC3339Nano, ts); err != nil || tm.IsZero() {
		bad("time %q", ts)
		return
	}
	if of, _ := p["output_fields"].(map[string]any); len(of) == 0 {
		bad("empty output_fields")
		return
	}
	for _, k := range []string{"output", "hostname", "source"} {
		if _, ok := p[k].(string); !ok {
			bad("%s missing or not a string", k)
			return
		}
	}
	if _, ok := p["tags"].([]any); !ok {
		bad("tags missing or not an array")
		return
	}
	s.accepted = append(s.accepted, p)
	_, _ = w.Write([]byte(`{"status":"ok"}`))
}

func fmtS(f string, a ...any) string { return fmt.Sprintf(f, a...) }

func sample(i int) *alert.Alert {
	return &alert.Alert{
		Time: time.Unix(0, 1470327477881781397+int64(i)), Rule: "Terminal shell in container", Priority: alert.PriorityNotice,
		Output:   "16:17:57.881781397: Notice A shell was spawned (user=root shell=bash)",
		Fields:   []alert.Field{{Name: "evt.time", Value: uint64(1470327477881781397 + i)}, {Name: "proc.name", Value: "bash"}, {Name: "user.uid", Value: int64(0)}},
		Tags:     []string{"container", "shell"},
		Source:   alert.SourceSyscall,
		Hostname: "node-1",
	}
}

func jsonFormat() exporter.Format {
	f := exporter.DefaultFormat()
	f.JSON = true
	return f
}

func deliver(t *testing.T, cfg Config, set Settings, n int) exporter.Stats {
	t.Helper()
	o, err := New(cfg, jsonFormat(), set)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := exporter.New(exporter.Options{}, exporter.Destination{Name: OutputName, Output: o})
	for i := range n {
		d.Enqueue(sample(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return d.Stats(nil)[0]
}

func TestPostsFalcoJSONThatSidekickAccepts(t *testing.T) {
	for _, compress := range []bool{false, true} {
		sk := &sidekick{}
		srv := httptest.NewServer(sk)
		cfg := Default()
		cfg.Enabled, cfg.URL, cfg.CompressUploads, cfg.KeepAlive = true, srv.URL, compress, true
		var echo bytes.Buffer
		cfg.Echo = true
		st := deliver(t, cfg, Settings{Echo: &echo}, 3)
		srv.Close()
		if len(sk.problems) > 0 {
			t.Fatalf("sidekick rejected: %v", sk.problems)
		}
		if st.Exported != 3 || len(sk.accepted) != 3 {
			t.Fatalf("compress=%v: stats %+v, accepted %d", compress, st, len(sk.accepted))
		}
		p := sk.accepted[0]
		of := p["output_fields"].(map[string]any)
		if p["rule"] != "Terminal shell in container" || p["priority"] != "Notice" || p["hostname"] != "node-1" ||
			p["source"] != "syscall" || p["time"] != "2016-08-04T16:17:57.881781397Z" || of["proc.name"] != "bash" ||
			of["evt.time"] != json.Number("1470327477881781397") {
			t.Errorf("payload %v", p)
		}
		h := sk.headers[0]
		if h.Get("Content-Type") != "application/json" || h.Get("User-Agent") != "saker" || (h.Get("Content-Encoding") == "gzip") != compress {
			t.Errorf("headers %v", h)
		}
		if strings.Count(echo.String(), `{"status":"ok"}`) != 3 {
			t.Errorf("echo printed %q", echo.String())
		}
	}
}

func TestNon2xxIsCountedAsFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "nope", 500) }))
	defer srv.Close()
	cfg := Default()
	cfg.Enabled, cfg.URL = true, srv.URL
	if st := deliver(t, cfg, Settings{}, 4); st.Dropped[exporter.ReasonPermanentFailure] != 4 {
		t.Errorf("stats %+v", st)
	}
}

// A server that never answers in time: each alert is tried
// max_consecutive_timeouts times, then failed, and the callback fires.
func TestMaxConsecutiveTimeoutsCallsBack(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	cfg := Default()
	cfg.Enabled, cfg.URL, cfg.Timeout, cfg.MaxConsecutiveTimeouts = true, srv.URL, 50*time.Millisecond, 3
	var mu sync.Mutex
	var calls []int
	st := deliver(t, cfg, Settings{OnMaxConsecutiveTimeouts: func(n int, err error) {
		mu.Lock()
		calls = append(calls, n)
		mu.Unlock()
	}}, 2)
	if st.Dropped[exporter.ReasonPermanentFailure] != 2 {
		t.Errorf("stats %+v", st)
	}
	if len(calls) != 2 || calls[0] != 3 || calls[1] != 3 {
		t.Errorf("callback calls %v, want [3 3]", calls)
	}
}

func TestMutualTLS(t *testing.T) {
	certs := testenv.NewCerts(t)
	sk := &sidekick{}
	srv := httptest.NewUnstartedServer(sk)
	srv.TLS = certs.ServerTLS(true)
	srv.StartTLS()
	defer srv.Close()
	cfg := Default()
	cfg.Enabled, cfg.URL, cfg.CACert = true, srv.URL, certs.CAFile
	cfg.MTLS, cfg.ClientCert, cfg.ClientKey = true, certs.ClientCertFile, certs.ClientKey
	if st := deliver(t, cfg, Settings{}, 2); st.Exported != 2 || len(sk.accepted) != 2 {
		t.Fatalf("mTLS: stats %+v", st)
	}
	// Without the CA the server is not trusted; with insecure it is.
	noCA := cfg
	noCA.CACert = ""
	if st := deliver(t, noCA, Settings{}, 1); st.Exported != 0 {
		t.Errorf("untrusted server accepted: %+v", st)
	}
	noCA.Insecure = true
	if st := deliver(t, noCA, Settings{}, 1); st.Exported != 1 {
		t.Errorf("insecure: %+v", st)
	}
	// ca_path: a directory holding the CA works like ca_cert.
	byPath := cfg
	byPath.CACert, byPath.CAPath = "", certs.Dir
	if st := deliver(t, byPath, Settings{}, 1); st.Exported != 1 {
		t.Errorf("ca_path: %+v", st)
	}
	// No client certificate: the server refuses the handshake.
	noClient := cfg
	noClient.MTLS = false
	if st := deliver(t, noClient, Settings{}, 1); st.Exported != 0 {
		t.Errorf("server accepted a client without certificate: %+v", st)
	}
}

func TestValidateAndStartupErrors(t *testing.T) {
	for want, mut := range map[string]func(*Config){
		"http_output.url: must be set":               func(c *Config) { c.URL = "" },
		`http_output.url: invalid value "ftp://x"`:   func(c *Config) { c.URL = "ftp://x" },
		"http_output.max_consecutive_timeouts":       func(c *Config) { c.MaxConsecutiveTimeouts = -1 },
		"http_output.timeout":                        func(c *Config) { c.Timeout = 0 },
		"http_output.client_cert and http_output.cl": func(c *Config) { c.MTLS, c.ClientCert = true, "" },
	} {
		c := Default()
		c.Enabled, c.URL = true, "http://x"
		mut(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
	}
	c := Default()
	c.Enabled, c.URL, c.CACert = true, "https://x", "/nonexistent.pem"
	if _, err := New(c, jsonFormat(), Settings{}); err == nil || !strings.Contains(err.Error(), "http_output.ca_cert") {
		t.Errorf("New with a missing CA file: %v", err)
	}
}
