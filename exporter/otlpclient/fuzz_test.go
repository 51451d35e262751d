package otlpclient

import (
	"strings"
	"testing"
)

// Whatever the environment holds, ApplyEnv and Resolve return an error or a
// usable connection; they never panic, and an accepted endpoint resolves.
func FuzzApplyEnv(f *testing.F) {
	f.Add("http://collector:4317", "grpc", "a=b,c=d%20e", "1000", "gzip")
	f.Add("https://[::1]:4318/v1/logs", "http/protobuf", "=x", "x", "none")
	f.Add("collector", "", ",,,", "", "")
	f.Fuzz(func(t *testing.T, endpoint, protocol, headers, timeout, compression string) {
		env := map[string]string{
			"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": endpoint,
			"OTEL_EXPORTER_OTLP_PROTOCOL":      protocol,
			"OTEL_EXPORTER_OTLP_HEADERS":       headers,
			"OTEL_EXPORTER_OTLP_TIMEOUT":       timeout,
			"OTEL_EXPORTER_OTLP_COMPRESSION":   compression,
		}
		cfg := Default()
		cfg.TLS.Insecure = true
		if _, err := cfg.ApplyEnv(SignalLogs, func(k string) string { return env[k] }); err != nil {
			if !strings.Contains(err.Error(), "OTEL_") {
				t.Fatalf("error does not name the variable: %v", err)
			}
			return
		}
		conn, err := cfg.Resolve("otlp_output")
		if err != nil {
			return
		}
		if conn.Target == "" {
			t.Fatalf("resolved %q to an empty target", cfg.Endpoint)
		}
	})
}
