// Package exporter delivers alerts to their sinks without ever making the
// event loop wait, and counts every alert it could not deliver.
//
// # Shape
//
// An [Output] is one sink (OTLP logs, stdout, a file, syslog, a program, an
// HTTP endpoint); each lives in its own subpackage with a Config (defaults,
// Validate) and a New. The [Dispatcher] fans alerts out: every output gets a
// bounded queue and a goroutine of its own, so a slow or broken sink only
// fills its own queue. [Dispatcher.Enqueue] is non-blocking; when a queue is
// full the alert is dropped for that output and counted. Package
// exporter/outputs builds a Dispatcher from the Falco-style configuration.
//
// # Packages
//
// One small package per sink, because each has its own config section,
// failure modes and test setup, and the CLI only needs the ones enabled:
//
//	exporter            Output, Dispatcher, Stats, Format (this package)
//	exporter/otlp       OTLP logs (pdata; gRPC or HTTP/protobuf), batching, retry
//	exporter/otlpclient OTLP connection settings + OTEL_EXPORTER_OTLP_* env,
//	                    shared with the OTLP metrics exporter
//	exporter/stdout     stdout_output
//	exporter/file       file_output (keep_alive, Reopen for logrotate)
//	exporter/syslog     syslog_output (local socket, priority as severity)
//	exporter/program    program_output (sh -c, stdin, keep_alive)
//	exporter/httpout    http_output (Falco JSON POST, falcosidekick-compatible)
//	exporter/outputs    the Falco-style config of all of them → a Dispatcher
//
// Subpackages import this one (for Output, Format, PartialError); this one
// imports none of them.
//
// # Lifecycle
//
//	d, _ := exporter.New(opts, destinations...)   // workers start here
//	d.Enqueue(a)                                  // from the engine, any goroutine
//	d.Reopen()                                    // on SIGHUP: file outputs reopen
//	d.Close(ctx)                                  // on SIGTERM: flush within ctx's deadline
//
// Close stops intake, lets each worker send what is queued, and closes the
// outputs. Whatever is still queued or being retried when ctx is done is
// counted as shutdown_deadline; an output stuck in a write that ignores
// cancellation is abandoned after a short grace and named in the error.
//
// # Accounting
//
// Per output, atomically: Received (offered), Exported (delivered), and
// Dropped by [Reason] — queue_full, permanent_failure, shutdown_deadline,
// rate_limited. After Close, Received == Exported + sum(Dropped): no alert
// disappears without a count. [Dispatcher.Stats] reads them without locks or
// allocation, for the metrics code to expose at scrape time (Prometheus
// collector, OTel observable instruments).
//
// # Sharp edges
//
//   - Alerts are shared by pointer between outputs and must not be modified
//     after Enqueue; outputs must not keep them after Send returns.
//   - The rate limit (Falco's outputs.rate/max_burst) sits before the fan-out:
//     a refused alert is refused for every output, and counted by each.
//   - Batching: outputs get up to MaxBatch alerts per Send. With a zero
//     BatchTimeout the worker sends whatever is queued at once (line outputs
//     then write with one flush per batch); OTLP waits up to its batch
//     timeout to fill a batch.
package exporter
