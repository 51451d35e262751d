package otlp

import (
	"reflect"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/internal/testenv"
)

// Alerts go saker → real collector (OTLP gRPC or HTTP receiver) →
// collector's OTLP exporter → a receiver in this process, and arrive with
// every field of the log data model set as notes/otel.md §1 specifies.
func TestEndToEndThroughCollector(t *testing.T) {
	for _, proto := range []string{"grpc", "http/protobuf", "http/json"} {
		t.Run(proto, func(t *testing.T) {
			sink := testenv.StartLogSink(t)
			col := testenv.StartCollector(t, testenv.CollectorOptions{ForwardTo: sink.Endpoint})
			endpoint := col.GRPCEndpoint
			if proto != "grpc" {
				endpoint = col.HTTPEndpoint
			}
			cfg := testConfig(endpoint, proto)
			cfg.Resource.Attributes = map[string]string{"k8s.cluster.name": "test-cluster"}
			before := time.Now()
			st := deliver(t, cfg, fileAlert(), netAlert(), internalAlert())
			after := time.Now()
			if st.Exported != 3 || st.DroppedTotal() != 0 {
				t.Fatalf("stats %+v", st)
			}
			if n := sink.WaitFor(3, 15*time.Second); n != 3 {
				t.Fatalf("sink received %d records, want 3", n)
			}
			recs := recordsByRule(sink.Records())
			cases := []struct {
				rule      string
				sevNum    plog.SeverityNumber
				sevText   string
				body      string
				eventName string
				ts        time.Time
				attrs     map[string]any
			}{
				{"Read sensitive file untrusted", plog.SeverityNumberWarn, "Warning", fileAlert().Output, "saker.alert", alertTime, wantFileAttrs()},
				{"Outbound connection to C2", plog.SeverityNumberError2, "Critical", netAlert().Output, "saker.alert", alertTime.Add(time.Second), wantNetAttrs()},
				{"Falco internal: syscall event drop", plog.SeverityNumberDebug, "Debug", internalAlert().Output, "saker.internal", alertTime.Add(2 * time.Second), wantInternalAttrs()},
			}
			for _, c := range cases {
				r, ok := recs[c.rule]
				if !ok {
					t.Errorf("no record for %q", c.rule)
					continue
				}
				if r.SeverityNumber() != c.sevNum || r.SeverityText() != c.sevText {
					t.Errorf("%s: severity %v %q, want %v %q", c.rule, r.SeverityNumber(), r.SeverityText(), c.sevNum, c.sevText)
				}
				if r.Body().Str() != c.body {
					t.Errorf("%s: body %q", c.rule, r.Body().Str())
				}
				if r.EventName() != c.eventName {
					t.Errorf("%s: event name %q, want %q", c.rule, r.EventName(), c.eventName)
				}
				if got := r.Timestamp().AsTime(); !got.Equal(c.ts) {
					t.Errorf("%s: timestamp %v, want %v", c.rule, got, c.ts)
				}
				if obs := r.ObservedTimestamp().AsTime(); obs.Before(before) || obs.After(after) {
					t.Errorf("%s: observed timestamp %v not within the send (%v..%v)", c.rule, obs, before, after)
				}
				got := r.Attributes().AsRaw()
				if !reflect.DeepEqual(got, c.attrs) {
					for k, v := range c.attrs {
						if gv, ok := got[k]; !ok || !reflect.DeepEqual(gv, v) {
							t.Errorf("%s: attribute %s = %#v (present %v), want %#v", c.rule, k, gv, ok, v)
						}
					}
					for k, v := range got {
						if _, ok := c.attrs[k]; !ok {
							t.Errorf("%s: unexpected attribute %s = %#v", c.rule, k, v)
						}
					}
				}
				res := r.Resource.Attributes().AsRaw()
				id, _ := res["service.instance.id"].(string)
				if !uuidRE.MatchString(id) {
					t.Errorf("service.instance.id %q is not a UUID", id)
				}
				delete(res, "service.instance.id")
				wantRes := map[string]any{"service.name": "saker", "service.version": "test-1.2.3", "host.name": "node-7", "os.type": "linux", "k8s.cluster.name": "test-cluster"}
				if !reflect.DeepEqual(res, wantRes) {
					t.Errorf("resource %v, want %v", res, wantRes)
				}
				if r.Scope.Name() != "saker" || r.Scope.Version() != "test-1.2.3" {
					t.Errorf("scope %q %q", r.Scope.Name(), r.Scope.Version())
				}
			}
			if got, err := col.Metric("otelcol_receiver_accepted_log_records"); err != nil || got != 3 {
				t.Errorf("collector accepted %v log records (%v), want 3", got, err)
			}
		})
	}
}

// The collector's receivers serve TLS and demand a client certificate: the
// exporter must verify the collector with the configured CA and present its
// own certificate, over gRPC and over HTTP.
func TestEndToEndMutualTLS(t *testing.T) {
	certs := testenv.NewCerts(t)
	sink := testenv.StartLogSink(t)
	col := testenv.StartCollector(t, testenv.CollectorOptions{ForwardTo: sink.Endpoint, TLS: certs, MutualTLS: true})
	for i, c := range []struct{ proto, endpoint string }{{"grpc", col.GRPCEndpoint}, {"http/protobuf", col.HTTPEndpoint}} {
		cfg := testConfig(c.endpoint, c.proto)
		cfg.TLS.Insecure = false
		cfg.TLS.CAFile, cfg.TLS.CertFile, cfg.TLS.KeyFile = certs.CAFile, certs.ClientCertFile, certs.ClientKey
		if st := deliver(t, cfg, fileAlert()); st.Exported != 1 {
			t.Fatalf("%s over mTLS: %+v", c.proto, st)
		}
		if n := sink.WaitFor(i+1, 10*time.Second); n != i+1 {
			t.Fatalf("%s: sink has %d records", c.proto, n)
		}
		// Without a client certificate the collector refuses the handshake.
		noCert := cfg
		noCert.TLS.CertFile, noCert.TLS.KeyFile = "", ""
		noCert.Retry.Enabled = false
		if st := deliver(t, noCert, fileAlert()); st.Exported != 0 || st.Dropped[exporter.ReasonPermanentFailure] != 1 {
			t.Errorf("%s without client certificate: %+v", c.proto, st)
		}
	}
}
