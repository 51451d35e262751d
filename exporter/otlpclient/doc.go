// Package otlpclient is the connection half of an OTLP exporter: endpoint,
// protocol (grpc, http/protobuf or http/json), TLS, headers, compression and timeout,
// from the config file and from the standard OTEL_EXPORTER_OTLP_* variables.
// The alert exporter (exporter/otlp) uses it for logs; the metrics exporter
// uses the same [Config] with [SignalMetrics] so both reach one collector
// with one set of settings.
//
// Usage:
//
//	cfg := otlpclient.Default()                      // or decoded from YAML
//	on, err := cfg.ApplyEnv(otlpclient.SignalLogs, os.Getenv)
//	conn, err := cfg.Resolve("otlp_output")          // validates, reads cert files
//	cc, err := conn.DialGRPC()                       // grpc
//	url := conn.SignalURL("/v1/logs")                // http/*, with conn.HTTPClient()
//
// Precedence: environment variables, when set, override the config file
// (signal-specific over generic), mirroring how SAKER_ variables override
// the file; headers are merged. An endpoint from the environment is a
// signal to turn the output on (ApplyEnv reports it).
//
// Endpoint forms: "host:port" (TLS unless tls.insecure), "http://host:port"
// (plaintext), "https://host:port" (TLS). For HTTP the base URL gets the
// signal path appended, except for OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT,
// which the OTLP specification defines as the complete URL. http/json
// sends the JSON encoding of the same requests, as the OTLP specification
// defines it, to the same paths.
package otlpclient
