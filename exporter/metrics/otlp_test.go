package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"google.golang.org/grpc"
	_ "google.golang.org/grpc/encoding/gzip"

	"github.com/sakersec/saker/exporter/otlpclient"
	"github.com/sakersec/saker/internal/testenv"
)

// metricSink is an OTLP/gRPC metrics receiver in the test process: the real
// collector forwards what saker pushed to it.
type metricSink struct {
	pmetricotlp.UnimplementedGRPCServer
	endpoint string
	mu       sync.Mutex
	got      []pmetric.Metrics
}

func startMetricSink(t *testing.T) *metricSink {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &metricSink{endpoint: l.Addr().String()}
	srv := grpc.NewServer()
	pmetricotlp.RegisterGRPCServer(srv, s)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	return s
}

func (s *metricSink) Export(_ context.Context, req pmetricotlp.ExportRequest) (pmetricotlp.ExportResponse, error) {
	m := pmetric.NewMetrics()
	req.Metrics().CopyTo(m)
	s.mu.Lock()
	s.got = append(s.got, m)
	s.mu.Unlock()
	return pmetricotlp.NewExportResponse(), nil
}

// point finds the latest data point of the named metric whose attributes
// include attrs, and the resource it came with.
func (s *metricSink) point(name string, attrs map[string]string) (float64, pcommon.Resource, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var val float64
	var res pcommon.Resource
	found := false
	for _, md := range s.got {
		for i := 0; i < md.ResourceMetrics().Len(); i++ {
			rm := md.ResourceMetrics().At(i)
			for j := 0; j < rm.ScopeMetrics().Len(); j++ {
				ms := rm.ScopeMetrics().At(j).Metrics()
				for k := 0; k < ms.Len(); k++ {
					m := ms.At(k)
					if m.Name() != name {
						continue
					}
					var dps pmetric.NumberDataPointSlice
					switch m.Type() {
					case pmetric.MetricTypeSum:
						dps = m.Sum().DataPoints()
					case pmetric.MetricTypeGauge:
						dps = m.Gauge().DataPoints()
					default:
						continue
					}
				points:
					for p := 0; p < dps.Len(); p++ {
						dp := dps.At(p)
						for ak, av := range attrs {
							if v, ok := dp.Attributes().Get(ak); !ok || v.Str() != av {
								continue points
							}
						}
						if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
							val = float64(dp.IntValue())
						} else {
							val = dp.DoubleValue()
						}
						res, found = rm.Resource(), true
					}
				}
			}
		}
	}
	return val, res, found
}

// startMetricsCollector runs the real collector (internal/testenv's build)
// with a metrics pipeline: OTLP gRPC and HTTP in, OTLP gRPC out to sink.
func startMetricsCollector(t *testing.T, sink string) (grpcEP, httpEP string) {
	bin, took, err := testenv.CollectorBinary()
	if err != nil {
		testenv.Unavailable(t, "collector not available: %v", err)
	}
	if took > 0 {
		t.Logf("built the collector in %v", took.Round(time.Second))
	}
	ports, err := testenv.FreePorts(3)
	if err != nil {
		t.Fatal(err)
	}
	grpcEP, httpEP = fmt.Sprintf("127.0.0.1:%d", ports[0]), fmt.Sprintf("127.0.0.1:%d", ports[1])
	dir := t.TempDir()
	cfg := fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc: {endpoint: "%s"}
      http: {endpoint: "%s"}
exporters:
  otlp_grpc/sink:
    endpoint: %s
    tls: {insecure: true}
service:
  telemetry:
    logs: {level: warn}
    metrics:
      level: none
  pipelines:
    metrics: {receivers: [otlp], exporters: [otlp_grpc/sink]}
`, grpcEP, httpEP, sink)
	cfgPath := filepath.Join(dir, "collector.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "collector.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config", cfgPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		testenv.Unavailable(t, "collector did not start: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("collector log:\n%s", b)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for _, addr := range []string{grpcEP, httpEP} {
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-exited:
				b, _ := os.ReadFile(logPath)
				testenv.Unavailable(t, "collector exited at start:\n%s", b)
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				testenv.Unavailable(t, "collector not listening on %s", addr)
			}
		}
	}
	return grpcEP, httpEP
}

// TestOTLPMetricsThroughRealCollector pushes saker's metrics over OTLP
// (gRPC and HTTP) to a real collector, which forwards them to a sink; the
// sink sees the same values /metrics shows, under the OTel names.
func TestOTLPMetricsThroughRealCollector(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a collector")
	}
	sink := startMetricSink(t)
	grpcEP, httpEP := startMetricsCollector(t, sink.endpoint)

	for _, tc := range []struct{ protocol, endpoint string }{
		{otlpclient.ProtocolGRPC, "http://" + grpcEP},
		{otlpclient.ProtocolHTTPProtobuf, "http://" + httpEP},
		// the SDK pushes protobuf; the receiver takes it on the same path
		{otlpclient.ProtocolHTTPJSON, "http://" + httpEP},
	} {
		t.Run(tc.protocol, func(t *testing.T) {
			// The endpoint comes from the standard variable, as an operator
			// would set it; the file config is the logs output's default.
			env := map[string]string{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": tc.endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": tc.protocol}
			if otlpclient.HTTP(tc.protocol) {
				env["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = tc.endpoint + "/v1/metrics"
			}
			cfg := DefaultConfig()
			conn, err := cfg.ResolveOTLP(otlpclient.Default(), false, func(k string) string { return env[k] })
			if err != nil || conn == nil {
				t.Fatalf("resolve: %v %v", conn, err)
			}
			var log syncBuffer
			r := newRig(t, Options{OTLP: conn, PushInterval: time.Hour, Hostname: "node-7", Logger: slog.New(slog.NewTextHandler(&log, nil)),
				Build: BuildInfo{Version: "9.9.9-" + strings.ReplaceAll(tc.protocol, "/", "-")}})
			if said := strings.Contains(log.String(), "metrics are pushed over OTLP/HTTP in protobuf"); said != (tc.protocol == otlpclient.ProtocolHTTPJSON) {
				t.Errorf("log %q", log.String())
			}
			r.kernel.drop(21)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := r.m.ForceFlush(ctx); err != nil {
				t.Fatalf("push: %v", err)
			}
			want := map[string]float64{}
			deadline := time.Now().Add(20 * time.Second)
			for {
				v, res, ok := sink.point("saker.events.dropped", map[string]string{"reason": "ring_buffer_full"})
				_, _, okBuild := sink.point("saker.build.info", map[string]string{"version": "9.9.9-" + strings.ReplaceAll(tc.protocol, "/", "-")})
				if ok && okBuild {
					if v != 21 {
						t.Errorf("saker.events.dropped{reason=ring_buffer_full} = %v, want 21", v)
					}
					if h, _ := res.Attributes().Get("host.name"); h.Str() != "node-7" {
						t.Errorf("resource host.name %q", h.Str())
					}
					if s, _ := res.Attributes().Get("service.name"); s.Str() != "saker" {
						t.Errorf("resource service.name %q", s.Str())
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("metrics did not reach the sink through the collector")
				}
				time.Sleep(100 * time.Millisecond)
			}
			want["saker.sampling.ratio"] = 4
			for name, w := range want {
				if v, _, ok := sink.point(name, nil); !ok || v != w {
					t.Errorf("%s = %v (%v), want %v", name, v, ok, w)
				}
			}
		})
	}
}
