package metrics

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/sakersec/saker/exporter/otlpclient"
	"github.com/sakersec/saker/internal/testenv"
)

func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServerEndpoints(t *testing.T) {
	r := newRig(t, Options{NoRuntimeCollectors: true})
	var healthErr error
	srv := startServer(t, Endpoints{Metrics: r.m.Handler(), Health: func() error { return healthErr },
		Build: BuildInfo{Version: "1.2.3", EngineVersion: "0.40.0"}})
	base := "http://" + srv.Addr().String()
	if !strings.HasPrefix(srv.Addr().String(), "127.0.0.1:") {
		t.Errorf("listening on %s, want loopback by default", srv.Addr())
	}

	code, body := get(t, http.DefaultClient, base+"/healthz")
	if code != 200 || strings.TrimSpace(body) != `{"status": "ok"}` {
		t.Errorf("/healthz: %d %q", code, body)
	}
	healthErr = errors.New("event loop stalled")
	code, body = get(t, http.DefaultClient, base+"/healthz")
	if code != 503 || !strings.Contains(body, "event loop stalled") {
		t.Errorf("unhealthy /healthz: %d %q", code, body)
	}
	code, body = get(t, http.DefaultClient, base+"/version")
	var v map[string]string
	if code != 200 || json.Unmarshal([]byte(body), &v) != nil || v["saker_version"] != "1.2.3" ||
		v["engine_version"] != "0.40.0" || v["go_version"] != runtime.Version() {
		t.Errorf("/version: %d %q", code, body)
	}
	if code2, body2 := get(t, http.DefaultClient, base+"/versions"); code2 != 200 || body2 != body {
		t.Errorf("/versions (Falco's path): %d %q", code2, body2)
	}
	if code, body = get(t, http.DefaultClient, base+"/metrics"); code != 200 || !strings.Contains(body, "saker_sampling_ratio 4") {
		t.Errorf("/metrics: %d", code)
	}
	if code, _ = get(t, http.DefaultClient, base+"/nope"); code != 404 {
		t.Errorf("/nope: %d", code)
	}
}

func TestServerOptions(t *testing.T) {
	r := newRig(t, Options{NoRuntimeCollectors: true})
	cfg := DefaultWebserverConfig()
	cfg.ListenPort = 0
	cfg.PrometheusMetricsEnabled = false
	cfg.K8sHealthzEndpoint = "/livez"
	srv, err := NewServer(cfg, Endpoints{Metrics: r.m.Handler()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	base := "http://" + srv.Addr().String()
	if code, _ := get(t, http.DefaultClient, base+"/metrics"); code != 404 {
		t.Errorf("/metrics served with prometheus_metrics_enabled false: %d", code)
	}
	if code, _ := get(t, http.DefaultClient, base+"/livez"); code != 200 {
		t.Errorf("/livez: %d", code)
	}

	// A busy port fails at start-up.
	_, port, _ := net.SplitHostPort(srv.Addr().String())
	cfg.ListenPort, _ = strconv.Atoi(port)
	if _, err := NewServer(cfg, Endpoints{}, nil); err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("second server on a busy port: %v", err)
	}
	cfg.Enabled = false
	if _, err := NewServer(cfg, Endpoints{}, nil); err == nil {
		t.Error("disabled server started")
	}
}

func TestServerTLS(t *testing.T) {
	certs := testenv.NewCerts(t)
	// Falco's ssl_certificate: key and certificate in one PEM file.
	key, _ := os.ReadFile(certs.ServerKey)
	crt, _ := os.ReadFile(certs.ServerCertFile)
	pem := filepath.Join(t.TempDir(), "saker.pem")
	if err := os.WriteFile(pem, append(key, crt...), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultWebserverConfig()
	cfg.ListenPort = 0
	cfg.SSLEnabled = true
	cfg.SSLCertificate = pem
	srv, err := NewServer(cfg, Endpoints{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	ca, _ := os.ReadFile(certs.CAFile)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if code, _ := get(t, c, "https://"+srv.Addr().String()+"/healthz"); code != 200 {
		t.Errorf("https /healthz: %d", code)
	}
	cfg.SSLCertificate = filepath.Join(t.TempDir(), "missing.pem")
	if _, err := NewServer(cfg, Endpoints{}, nil); err == nil || !strings.Contains(err.Error(), "webserver.ssl_certificate") {
		t.Errorf("missing certificate: %v", err)
	}
}

func TestWebserverConfigValidate(t *testing.T) {
	cases := []struct {
		edit func(*WebserverConfig)
		want string
	}{
		{func(c *WebserverConfig) { c.ListenPort = 70000 }, "webserver.listen_port: must be 0 to 65535, got 70000"},
		{func(c *WebserverConfig) { c.ListenAddress = "not an address" }, `webserver.listen_address: invalid address "not an address"`},
		{func(c *WebserverConfig) { c.K8sHealthzEndpoint = "healthz" }, "webserver.k8s_healthz_endpoint: must be a path starting with /"},
		{func(c *WebserverConfig) { c.K8sHealthzEndpoint = "/metrics" }, "is taken by another endpoint"},
		{func(c *WebserverConfig) { c.SSLEnabled = true; c.SSLCertificate = "" }, "webserver.ssl_certificate: must be set"},
	}
	for _, tc := range cases {
		c := DefaultWebserverConfig()
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
	c := DefaultWebserverConfig()
	if err := c.Validate(); err != nil || c.Addr() != "127.0.0.1:8765" {
		t.Errorf("defaults: %v %s", err, c.Addr())
	}
	c.ListenAddress = "::1"
	if err := c.Validate(); err != nil || c.Addr() != "[::1]:8765" {
		t.Errorf("ipv6: %v %s", err, c.Addr())
	}
	c.ListenAddress = "localhost"
	if err := c.Validate(); err != nil {
		t.Errorf("hostname: %v", err)
	}
}

func TestResolveOTLP(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	logs := otlpclient.Default()
	logs.Endpoint = "collector:4317"
	logs.TLS.Insecure = true
	logs.Headers = map[string]string{"x-tenant": "a"}

	cfg := DefaultConfig()
	// Follows the logs output: off when it is off and nothing in the env.
	if c, err := cfg.ResolveOTLP(logs, false, env(nil)); err != nil || c != nil {
		t.Fatalf("logs off: %v %v", c, err)
	}
	// On with the logs output, to the same endpoint.
	c, err := cfg.ResolveOTLP(logs, true, env(nil))
	if err != nil || c == nil || c.Target != "collector:4317" || c.TLS != nil || c.Headers["x-tenant"] != "a" {
		t.Fatalf("logs on: %+v %v", c, err)
	}
	// The metrics-specific variables win over the generic ones and the file;
	// merged headers do not leak into the logs output's config.
	c, err = cfg.ResolveOTLP(logs, true, env(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":         "http://generic:4317",
		"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://metrics-only:9999",
		"OTEL_EXPORTER_OTLP_METRICS_HEADERS":  "x-m=1",
	}))
	if err != nil || c.Target != "metrics-only:9999" || c.Headers["x-m"] != "1" {
		t.Fatalf("env: %+v %v", c, err)
	}
	if _, ok := logs.Headers["x-m"]; ok {
		t.Error("metrics env headers leaked into the logs config")
	}
	// An endpoint in the environment turns the push on by itself...
	if c, err := cfg.ResolveOTLP(otlpclient.Config{}, false, env(map[string]string{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://m:4317"})); err != nil || c == nil {
		t.Fatalf("env endpoint alone: %v %v", c, err)
	}
	// ...unless enabled is explicitly false.
	off := false
	cfg.OTLP.Enabled = &off
	if c, err := cfg.ResolveOTLP(logs, true, env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://g:4317"})); err != nil || c != nil {
		t.Fatalf("explicitly off: %v %v", c, err)
	}
	// Its own endpoint, and protocol from the env.
	on := true
	cfg.OTLP.Enabled = &on
	cfg.OTLP.Endpoint = "http://own:4318"
	c, err = cfg.ResolveOTLP(logs, false, env(map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}))
	if err != nil || c.Protocol != "http/protobuf" || c.SignalURL("/v1/metrics") != "http://own:4318/v1/metrics" {
		t.Fatalf("own endpoint: %+v %v", c, err)
	}
	cfg.OTLP.Endpoint = "ftp://bad"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "metrics.otlp.endpoint") {
		t.Errorf("bad endpoint: %v", err)
	}
	if c, err := (&Config{Enabled: false}).ResolveOTLP(logs, true, env(nil)); c != nil || err != nil {
		t.Error("metrics disabled still pushes")
	}
}
