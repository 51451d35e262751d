// Package testenv gives tests real external components to talk to, instead of
// fakes: an OpenTelemetry Collector built from Go modules, and an in-process
// OTLP logs receiver to see what such a collector forwards.
//
// # The collector
//
// [CollectorBinary] builds the collector described by
// deploy/collector/builder-config.yaml with the collector builder (ocb) at
// [BuilderVersion], once per machine: the binary is cached under
// ${XDG_CACHE_HOME:-$HOME/.cache}/saker/otelcol-<version>/<hash>/, where hash
// is taken over the builder config, so editing the config rebuilds it. A cold
// build (empty module cache) takes minutes; later runs find the binary at
// once. Concurrent test processes (go test runs packages in parallel)
// serialise on a lock file, so only one of them builds.
//
// [StartCollector] writes a collector config with free loopback ports (OTLP
// gRPC and HTTP receivers, Prometheus self-metrics), optionally forwarding
// logs with the collector's own otlp exporter, starts the binary and waits
// until its ports accept connections. [Collector.Stop] and [Collector.Start]
// stop (SIGTERM, so the collector drains) and restart it on the same ports,
// which is what outage tests need.
//
// # The log sink
//
// [StartLogSink] is an OTLP/gRPC logs receiver inside the test process
// (pdata's plogotlp server): the collector's otlp exporter sends to it and the
// test reads what arrived. It can also be told to fail the next N requests
// with a given gRPC status, which unit tests of retry logic use.
//
// # Missing components
//
// Building needs the Go module proxy. When building or starting fails, the
// helpers skip the test, except under CI=true, where they fail it: CI must
// never pass by skipping what it is meant to check.
package testenv
