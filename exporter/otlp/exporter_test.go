package otlp

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/internal/testenv"
)

func seqAlerts(n int) []*alert.Alert {
	as := make([]*alert.Alert, n)
	for i := range as {
		as[i] = seqAlert("u", i)
	}
	return as
}

func TestGRPCRetriesUnavailableAndDeliversOnce(t *testing.T) {
	sink := testenv.StartLogSink(t)
	sink.FailNext(testenv.ErrUnavailable(), testenv.ErrUnavailable())
	st := deliver(t, testConfig(sink.Endpoint, "grpc"), seqAlerts(5)...)
	if st.Exported != 5 || st.DroppedTotal() != 0 {
		t.Fatalf("stats %+v", st)
	}
	if sink.Count() != 5 || sink.Requests() != 3 {
		t.Errorf("sink got %d records in %d requests, want 5 in 3", sink.Count(), sink.Requests())
	}
}

func TestGRPCResourceExhaustedNeedsRetryInfo(t *testing.T) {
	sink := testenv.StartLogSink(t)
	sink.FailNext(status.Error(codes.ResourceExhausted, "no hint"))
	st := deliver(t, testConfig(sink.Endpoint, "grpc"), seqAlerts(4)...)
	if st.Dropped[exporter.ReasonPermanentFailure] != 4 || sink.Requests() != 1 {
		t.Fatalf("without RetryInfo: stats %+v, %d requests; want 4 permanent failures, 1 request", st, sink.Requests())
	}

	// With RetryInfo the delay is the server's, not the (much shorter) back-off.
	st2, err := status.New(codes.ResourceExhausted, "slow down").WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(400 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	sink2 := testenv.StartLogSink(t)
	sink2.FailNext(st2.Err())
	cfg := testConfig(sink2.Endpoint, "grpc")
	cfg.Retry.InitialInterval, cfg.Retry.MaxInterval = 5*time.Millisecond, 10*time.Millisecond
	start := time.Now()
	s := deliver(t, cfg, seqAlerts(4)...)
	if s.Exported != 4 || sink2.Requests() != 2 {
		t.Fatalf("with RetryInfo: stats %+v, %d requests", s, sink2.Requests())
	}
	if el := time.Since(start); el < 400*time.Millisecond {
		t.Errorf("retried after %v, before the server's 400ms RetryInfo delay", el)
	}
}

func TestRetriesGiveUpAfterMaxElapsedTime(t *testing.T) {
	ports, _ := testenv.FreePorts(1)
	cfg := testConfig("127.0.0.1:"+itoa(ports[0]), "grpc") // nothing listens there
	cfg.Retry.MaxElapsedTime = 300 * time.Millisecond
	st := deliver(t, cfg, seqAlerts(3)...)
	if st.Dropped[exporter.ReasonPermanentFailure] != 3 {
		t.Fatalf("stats %+v, want 3 permanent failures", st)
	}
}

// With unlimited retries and the collector down, shutdown ends the retries
// at the deadline and counts the alerts as shutdown_deadline.
func TestShutdownDeadlineEndsRetries(t *testing.T) {
	ports, _ := testenv.FreePorts(1)
	cfg := testConfig("127.0.0.1:"+itoa(ports[0]), "grpc")
	cfg.Retry.MaxElapsedTime = 0
	dst, err := NewDestination(cfg, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := exporter.New(exporter.Options{}, dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range seqAlerts(700) { // more than one batch (512)
		d.Enqueue(a)
	}
	ctx, cancel := contextWithTimeout(300 * time.Millisecond)
	defer cancel()
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st := d.Stats(nil)[0]
	if st.Dropped[exporter.ReasonShutdownDeadline] != 700 || st.Received != 700 {
		t.Fatalf("stats %+v, want 700 shutdown_deadline", st)
	}
}

// otlpHTTPServer decodes OTLP/HTTP requests like a collector would and
// answers with the scripted responses first.
type otlpHTTPServer struct {
	*httptest.Server
	mu       sync.Mutex
	script   []func(w http.ResponseWriter)
	requests []*http.Request
	logs     []plog.Logs
}

func newOTLPHTTPServer(t *testing.T) *otlpHTTPServer {
	s := &otlpHTTPServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests = append(s.requests, r)
		if len(s.script) > 0 {
			f := s.script[0]
			s.script = s.script[1:]
			f(w)
			return
		}
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			body = zr
		}
		b, _ := io.ReadAll(body)
		// answered in the request's encoding, as an OTLP receiver does
		req, resp := plogotlp.NewExportRequest(), plogotlp.NewExportResponse()
		unmarshal, marshal := req.UnmarshalProto, resp.MarshalProto
		if r.Header.Get("Content-Type") == "application/json" {
			unmarshal, marshal = req.UnmarshalJSON, resp.MarshalJSON
		}
		if err := unmarshal(b); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		s.logs = append(s.logs, req.Logs())
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		out, _ := marshal()
		_, _ = w.Write(out)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *otlpHTTPServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range s.logs {
		n += l.LogRecordCount()
	}
	return n
}

func TestHTTPTransport(t *testing.T) {
	s := newOTLPHTTPServer(t)
	s.script = []func(http.ResponseWriter){
		func(w http.ResponseWriter) { w.Header().Set("Retry-After", "0"); w.WriteHeader(503) },
		func(w http.ResponseWriter) { w.WriteHeader(502) },
	}
	cfg := testConfig(s.URL, "http/protobuf")
	cfg.Headers = map[string]string{"Authorization": "Bearer abc"}
	st := deliver(t, cfg, seqAlerts(10)...)
	if st.Exported != 10 || s.count() != 10 {
		t.Fatalf("stats %+v; server decoded %d records", st, s.count())
	}
	r := s.requests[len(s.requests)-1]
	if r.URL.Path != "/v1/logs" || r.Method != "POST" || r.Header.Get("Content-Type") != "application/x-protobuf" ||
		r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("Authorization") != "Bearer abc" ||
		!strings.HasPrefix(r.Header.Get("User-Agent"), "saker/") {
		t.Errorf("request %s %s headers %v", r.Method, r.URL.Path, r.Header)
	}
	if len(s.requests) != 3 {
		t.Errorf("%d requests, want 3 (two retried failures)", len(s.requests))
	}

	// 400 is permanent: no retry.
	s2 := newOTLPHTTPServer(t)
	s2.script = []func(http.ResponseWriter){func(w http.ResponseWriter) { http.Error(w, "bad payload", 400) }}
	st = deliver(t, testConfig(s2.URL, "http/protobuf"), seqAlerts(3)...)
	if st.Dropped[exporter.ReasonPermanentFailure] != 3 || len(s2.requests) != 1 {
		t.Errorf("400: stats %+v, %d requests", st, len(s2.requests))
	}

	// Partial success: the rejected count is dropped, the rest exported.
	s3 := newOTLPHTTPServer(t)
	s3.script = []func(http.ResponseWriter){partialSuccess(2, false)}
	cfg3 := testConfig(s3.URL, "http/protobuf")
	cfg3.Compression = "none"
	st = deliver(t, cfg3, seqAlerts(5)...)
	if st.Exported != 3 || st.Dropped[exporter.ReasonPermanentFailure] != 2 {
		t.Errorf("partial success: stats %+v", st)
	}
	if ce := s3.requests[0].Header.Get("Content-Encoding"); ce != "" {
		t.Errorf("compression none sent Content-Encoding %q", ce)
	}
}

// partialSuccess answers an export with n records rejected, in JSON or
// protobuf.
func partialSuccess(n int64, json bool) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		resp := plogotlp.NewExportResponse()
		resp.PartialSuccess().SetRejectedLogRecords(n)
		resp.PartialSuccess().SetErrorMessage(fmt.Sprintf("%d too large", n))
		marshal, ct := resp.MarshalProto, "application/x-protobuf"
		if json {
			marshal, ct = resp.MarshalJSON, "application/json"
		}
		b, _ := marshal()
		w.Header().Set("Content-Type", ct)
		_, _ = w.Write(b)
	}
}

// TestHTTPJSON: with http/json the requests are the JSON encoding of the
// same messages (application/json), the records arrive whole, and a
// partial success answered in JSON is read.
func TestHTTPJSON(t *testing.T) {
	s := newOTLPHTTPServer(t)
	cfg := testConfig(s.URL, "http/json")
	st := deliver(t, cfg, seqAlerts(10)...)
	if st.Exported != 10 || s.count() != 10 {
		t.Fatalf("stats %+v; server decoded %d records", st, s.count())
	}
	r := s.requests[0]
	if r.URL.Path != "/v1/logs" || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("request %s headers %v", r.URL.Path, r.Header)
	}
	for _, l := range s.logs {
		if l.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str() == "" {
			t.Errorf("record without a body: %v", l)
		}
	}

	s2 := newOTLPHTTPServer(t)
	s2.script = []func(http.ResponseWriter){partialSuccess(2, true)}
	st = deliver(t, testConfig(s2.URL, "http/json"), seqAlerts(5)...)
	if st.Exported != 3 || st.Dropped[exporter.ReasonPermanentFailure] != 2 {
		t.Errorf("partial success in JSON: stats %+v", st)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		"Thu, 01 Jan 2026 00:00:10 GMT": 10 * time.Second,
		"Wed, 31 Dec 2025 00:00:10 GMT": 0,
		"soon":                          0,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	e := &Exporter{cfg: Default()}
	e.cfg.Retry.InitialInterval, e.cfg.Retry.MaxInterval, e.cfg.Retry.Multiplier = time.Second, 4*time.Second, 2
	for attempt, base := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second} {
		for range 50 {
			d := e.backoff(attempt)
			if d < base/2 || d >= base*3/2 {
				t.Fatalf("attempt %d: %v outside [%v, %v)", attempt, d, base/2, base*3/2)
			}
		}
	}
}

func TestApplyEnvEnablesAndSetsResource(t *testing.T) {
	cfg := Default()
	cfg.Resource.Attributes = map[string]string{"k8s.cluster.name": "file", "team": "sec"}
	err := cfg.ApplyEnv(func(k string) string {
		return map[string]string{
			"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://otel:4317",
			"OTEL_SERVICE_NAME":                "saker-edge",
			"OTEL_RESOURCE_ATTRIBUTES":         "k8s.cluster.name=env",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Enabled || cfg.Endpoint != "http://otel:4317" {
		t.Errorf("env endpoint did not enable: %+v", cfg)
	}
	want := map[string]string{"service.name": "saker-edge", "k8s.cluster.name": "env", "team": "sec"}
	for k, v := range want {
		if cfg.Resource.Attributes[k] != v {
			t.Errorf("resource %s = %q, want %q", k, cfg.Resource.Attributes[k], v)
		}
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
	d := Default()
	if err := d.ApplyEnv(func(string) string { return "" }); err != nil || d.Enabled {
		t.Errorf("empty env enabled the output: %v", err)
	}
}

func TestValidateNamesKeys(t *testing.T) {
	for want, mut := range map[string]func(*Config){
		"otlp_output.queue.size":                      func(c *Config) { c.Queue.Size = 0 },
		"otlp_output.batch.max_size":                  func(c *Config) { c.Batch.MaxSize = -1 },
		"otlp_output.retry_on_failure.max_interval":   func(c *Config) { c.Retry.MaxInterval = time.Millisecond },
		"otlp_output.retry_on_failure.multiplier":     func(c *Config) { c.Retry.Multiplier = 0.5 },
		"otlp_output.protocol":                        func(c *Config) { c.Protocol = "thrift" },
		"otlp_output.retry_on_failure.initial_interv": func(c *Config) { c.Retry.InitialInterval = 0 },
	} {
		c := Default()
		c.Enabled = true
		mut(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want mention of %s", err, want)
		}
	}
	off := Default()
	off.Queue.Size = 0
	if err := off.Validate(); err != nil {
		t.Errorf("disabled config validated: %v", err)
	}
}

// With subject promotion, alerts of different pods get their own
// ResourceLogs carrying the pod; host alerts carry none.
func TestPromoteSubjectToResource(t *testing.T) {
	c := newConverter(ResourceConfig{PromoteSubject: true}, "v", "h")
	other := fileAlert()
	other.Fields = append([]alert.Field(nil), other.Fields...)
	for i := range other.Fields {
		switch other.Fields[i].Name {
		case "k8s.pod.name":
			other.Fields[i].Value = "web-other"
		case "container.id":
			other.Fields[i].Value = "ffff00001111"
		}
	}
	ld := c.build([]*alert.Alert{fileAlert(), netAlert(), other, fileAlert()}, time.Now())
	rls := ld.ResourceLogs()
	if rls.Len() != 3 {
		t.Fatalf("%d ResourceLogs, want 3", rls.Len())
	}
	first := rls.At(0).Resource().Attributes().AsRaw()
	for k, v := range map[string]any{"container.id": "3ad7b26ded6d", "container.name": "web", "container.image.name": "docker.io/library/nginx", "k8s.namespace.name": "shop", "k8s.pod.name": "web-7d9f"} {
		if first[k] != v {
			t.Errorf("resource %s = %v, want %v", k, first[k], v)
		}
	}
	if n := rls.At(0).ScopeLogs().At(0).LogRecords().Len(); n != 2 {
		t.Errorf("first pod has %d records, want 2", n)
	}
	if _, ok := rls.At(1).Resource().Attributes().Get("container.id"); ok {
		t.Error("host alert got a container resource")
	}
	if v, _ := rls.At(2).Resource().Attributes().Get("k8s.pod.name"); v.Str() != "web-other" {
		t.Errorf("third resource pod %q", v.Str())
	}
	// Without promotion the same batch is one resource.
	if n := newConverter(ResourceConfig{}, "v", "h").build([]*alert.Alert{fileAlert(), netAlert(), other}, time.Now()).ResourceLogs().Len(); n != 1 {
		t.Errorf("without promotion %d ResourceLogs, want 1", n)
	}
}

func TestConvertEdgeValues(t *testing.T) {
	a := &alert.Alert{Rule: "r", Priority: alert.PriorityEmergency, Source: alert.SourceSyscall,
		Fields: []alert.Field{{Name: "big", Value: uint64(1 << 63)}, {Name: "fd.name", Value: "pipe:[123]"}, {Name: "fd.l4proto", Value: "icmp"}, {Name: "proc.pid", Value: "77"}}}
	ld := newConverter(ResourceConfig{}, "", "fallback").build([]*alert.Alert{a}, time.Now())
	rl := ld.ResourceLogs().At(0)
	if v, _ := rl.Resource().Attributes().Get("host.name"); v.Str() != "fallback" {
		t.Errorf("host.name %q, want fallback for an alert without hostname", v.Str())
	}
	r := rl.ScopeLogs().At(0).LogRecords().At(0)
	if r.Timestamp() != 0 {
		t.Errorf("zero alert time gave timestamp %v", r.Timestamp())
	}
	if r.SeverityNumber() != plog.SeverityNumberFatal {
		t.Errorf("Emergency → %v", r.SeverityNumber())
	}
	attrs := r.Attributes().AsRaw()
	if attrs["big"] != "9223372036854775808" {
		t.Errorf("uint64 beyond int64: %#v", attrs["big"])
	}
	for _, k := range []string{"file.path", "network.transport", "tags"} {
		if _, ok := attrs[k]; ok {
			t.Errorf("unexpected %s = %v", k, attrs[k])
		}
	}
	if attrs["process.pid"] != int64(77) {
		t.Errorf("numeric string pid → %#v", attrs["process.pid"])
	}
}
