package otlpclient

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"

	"github.com/sakersec/saker/internal/testenv"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestTargetForms(t *testing.T) {
	for _, c := range []struct {
		proto, ep string
		insecure  bool
		target    string
		secure    bool
	}{
		{ProtocolGRPC, "collector:4317", false, "collector:4317", true},
		{ProtocolGRPC, "collector", true, "collector:4317", false},
		{ProtocolGRPC, "http://collector:1234", false, "collector:1234", false},
		{ProtocolGRPC, "https://collector", true, "collector:4317", true},
		{ProtocolHTTPProtobuf, "collector", true, "http://collector:4318", false},
		{ProtocolHTTPProtobuf, "http://collector:9/otlp", false, "http://collector:9/otlp", false},
		{ProtocolHTTPProtobuf, "https://collector", false, "https://collector", true},
	} {
		cfg := Config{Protocol: c.proto, Endpoint: c.ep, TLS: TLSConfig{Insecure: c.insecure}}
		target, secure, err := cfg.target()
		if err != nil || target != c.target || secure != c.secure {
			t.Errorf("%s %q insecure=%v: got %q secure=%v err=%v; want %q secure=%v", c.proto, c.ep, c.insecure, target, secure, err, c.target, c.secure)
		}
	}
}

func TestValidateNamesKeyAndValue(t *testing.T) {
	for _, c := range []struct {
		mut  func(*Config)
		want string
	}{
		{func(c *Config) { c.Protocol = "udp" }, `otlp_output.protocol: invalid value "udp"`},
		{func(c *Config) { c.Endpoint = "" }, `otlp_output.endpoint: must be set`},
		{func(c *Config) { c.Endpoint = "ftp://x" }, `otlp_output.endpoint: invalid value "ftp://x"`},
		{func(c *Config) { c.Compression = "zstd" }, `otlp_output.compression: invalid value "zstd"`},
		{func(c *Config) { c.Timeout = -time.Second }, `otlp_output.timeout: must be >= 0`},
		{func(c *Config) { c.TLS.CertFile = "x" }, `otlp_output.tls.cert_file and otlp_output.tls.key_file`},
	} {
		cfg := Default()
		c.mut(&cfg)
		err := cfg.Validate("otlp_output")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	d := Default()
	if err := d.Validate("otlp_output"); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
	for _, p := range []string{ProtocolHTTPProtobuf, ProtocolHTTPJSON} {
		d.Protocol = p
		if err := d.Validate("otlp_output"); err != nil {
			t.Errorf("%s invalid: %v", p, err)
		}
	}
}

func TestApplyEnvPrecedence(t *testing.T) {
	cfg := Default()
	cfg.Headers = map[string]string{"x-tenant": "a", "x-keep": "k"}
	on, err := cfg.ApplyEnv(SignalLogs, env(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":           "http://generic:4318",
		"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT":      "http://logs:4318/custom/path",
		"OTEL_EXPORTER_OTLP_PROTOCOL":           "grpc",
		"OTEL_EXPORTER_OTLP_LOGS_PROTOCOL":      "http/protobuf",
		"OTEL_EXPORTER_OTLP_HEADERS":            "x-tenant=b,authorization=Bearer%20t0k",
		"OTEL_EXPORTER_OTLP_COMPRESSION":        "none",
		"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT":       "2500",
		"OTEL_EXPORTER_OTLP_CERTIFICATE":        "/ca.pem",
		"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": "/c.pem",
		"OTEL_EXPORTER_OTLP_CLIENT_KEY":         "/k.pem",
	}))
	if err != nil || !on {
		t.Fatalf("ApplyEnv = %v, %v", on, err)
	}
	if cfg.Protocol != ProtocolHTTPProtobuf || cfg.Endpoint != "http://logs:4318/custom/path" || cfg.Compression != "none" || cfg.Timeout != 2500*time.Millisecond {
		t.Errorf("cfg %+v", cfg)
	}
	if cfg.Headers["x-tenant"] != "b" || cfg.Headers["authorization"] != "Bearer t0k" || cfg.Headers["x-keep"] != "k" {
		t.Errorf("headers %v", cfg.Headers)
	}
	if cfg.TLS.CAFile != "/ca.pem" || cfg.TLS.CertFile != "/c.pem" || cfg.TLS.KeyFile != "/k.pem" {
		t.Errorf("tls %+v", cfg.TLS)
	}
	// The signal endpoint is the full URL; the generic one gets the path.
	cfg.TLS = TLSConfig{}
	conn, err := cfg.Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	if got := conn.SignalURL("/v1/logs"); got != "http://logs:4318/custom/path" {
		t.Errorf("signal URL %q", got)
	}
	g := Default()
	g.TLS = TLSConfig{}
	if _, err := g.ApplyEnv(SignalLogs, env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://generic:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"})); err != nil {
		t.Fatal(err)
	}
	conn, err = g.Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	if got := conn.SignalURL("/v1/logs"); got != "http://generic:4318/v1/logs" {
		t.Errorf("generic URL %q", got)
	}
	// http/json is OTLP/HTTP too: same default port, same paths
	j := Default()
	j.Endpoint = "collector"
	j.TLS = TLSConfig{Insecure: true}
	if _, err := j.ApplyEnv(SignalLogs, env(map[string]string{"OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": "http/json"})); err != nil {
		t.Fatal(err)
	}
	if conn, err = j.Resolve(""); err != nil {
		t.Fatal(err)
	}
	if conn.Protocol != ProtocolHTTPJSON || conn.SignalURL("/v1/logs") != "http://collector:4318/v1/logs" {
		t.Errorf("http/json: protocol %q URL %q", conn.Protocol, conn.SignalURL("/v1/logs"))
	}
	if _, err := conn.DialGRPC(); err == nil {
		t.Error("DialGRPC on an http/json connection")
	}
	// Nothing set: nothing changes, output stays as configured.
	n := Default()
	if on, err := n.ApplyEnv(SignalLogs, env(nil)); on || err != nil || n.Endpoint != Default().Endpoint {
		t.Errorf("empty env changed config: %v %v %+v", on, err, n)
	}
}

func TestApplyEnvErrorsNameVariable(t *testing.T) {
	for k, v := range map[string]string{
		"OTEL_EXPORTER_OTLP_PROTOCOL":         "http/xml",
		"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT":     "10s",
		"OTEL_EXPORTER_OTLP_LOGS_COMPRESSION": "br",
		"OTEL_EXPORTER_OTLP_HEADERS":          "novalue",
		"OTEL_EXPORTER_OTLP_INSECURE":         "maybe",
	} {
		cfg := Default()
		_, err := cfg.ApplyEnv(SignalLogs, env(map[string]string{k: v}))
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: error %v does not name the variable", k, v, err)
		}
	}
}

func TestResourceFromEnv(t *testing.T) {
	attrs, err := ResourceFromEnv(env(map[string]string{
		"OTEL_RESOURCE_ATTRIBUTES": "service.name=x,k8s.cluster.name=prod%20eu,deployment.environment.name=staging",
		"OTEL_SERVICE_NAME":        "saker-node",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if attrs["service.name"] != "saker-node" || attrs["k8s.cluster.name"] != "prod eu" || attrs["deployment.environment.name"] != "staging" {
		t.Errorf("attrs %v", attrs)
	}
	if a, err := ResourceFromEnv(env(nil)); a != nil || err != nil {
		t.Errorf("empty env: %v %v", a, err)
	}
}

type headerSink struct {
	plogotlp.UnimplementedGRPCServer
	got chan metadata.MD
}

func (h *headerSink) Export(ctx context.Context, _ plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	h.got <- md
	return plogotlp.NewExportResponse(), nil
}

// mTLS against a real gRPC server: the client trusts the test CA, presents
// its certificate, and the headers arrive as metadata. Without the client
// certificate the server refuses.
func TestDialGRPCWithMutualTLSAndHeaders(t *testing.T) {
	certs := testenv.NewCerts(t)
	sink := testenv.StartLogSink(t, grpc.Creds(credentials.NewTLS(certs.ServerTLS(true))))
	cfg := Config{Endpoint: sink.Endpoint, Protocol: ProtocolGRPC, Compression: CompressionGzip,
		Headers: map[string]string{"X-Scope-OrgID": "tenant-1"},
		TLS:     TLSConfig{CAFile: certs.CAFile, CertFile: certs.ClientCertFile, KeyFile: certs.ClientKey}}
	send := func(cfg Config) error {
		conn, err := cfg.Resolve("otlp_output")
		if err != nil {
			t.Fatal(err)
		}
		cc, err := conn.DialGRPC()
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if md := conn.OutgoingMetadata(); md != nil {
			ctx = metadata.NewOutgoingContext(ctx, md)
		}
		ld := plog.NewLogs()
		ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("x")
		_, err = plogotlp.NewGRPCClient(cc).Export(ctx, plogotlp.NewExportRequestFromLogs(ld), conn.CallOptions()...)
		return err
	}
	if err := send(cfg); err != nil {
		t.Fatalf("mTLS export: %v", err)
	}
	if md := sink.Headers()[0]; len(md.Get("x-scope-orgid")) != 1 || md.Get("x-scope-orgid")[0] != "tenant-1" {
		t.Errorf("metadata %v", md)
	}
	noClient := cfg
	noClient.TLS.CertFile, noClient.TLS.KeyFile = "", ""
	if err := send(noClient); err == nil {
		t.Error("export without client certificate succeeded against an mTLS server")
	}
	wrongCA := cfg
	wrongCA.TLS.CAFile = ""
	if err := send(wrongCA); err == nil {
		t.Error("export trusting the system pool succeeded against a test CA")
	}
}

func TestResolveReportsBadFiles(t *testing.T) {
	cfg := Default()
	cfg.Endpoint = "collector:4317" // TLS
	cfg.TLS.CAFile = "/nonexistent/ca.pem"
	if _, err := cfg.Resolve("otlp_output"); err == nil || !strings.Contains(err.Error(), "otlp_output.tls.ca_file") {
		t.Errorf("got %v", err)
	}
}
