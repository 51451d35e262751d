// Package otlp is the otlp_output: alerts as OpenTelemetry log records,
// sent over OTLP/gRPC or OTLP/HTTP (protobuf) to a collector.
//
// # The record
//
// One LogRecord per alert (notes/otel.md §1): Timestamp = event time,
// ObservedTimestamp = when the batch was built, SeverityNumber from the
// priority by the syslog column of the OTel data model (Emergency 21, Alert
// 19, Critical 18, Error 17, Warning 13, Notice 10, Informational 9, Debug 5;
// "Error and worse" is SeverityNumber >= 17), SeverityText = the Falco
// priority name, Body = the full output line, EventName = saker.alert
// (saker.internal for internal alerts). Attributes: security_rule.name,
// priority, source, tags (string array), every output field under its Falco
// name with its type (nil values left out), and the semantic-convention key
// where one exists (process.*, file.*, network.*, client/server.*,
// container.image.*, k8s.namespace.name; semconv 1.43.0, see semconv.go).
// Falco's alert JSON stays derivable from a record. Resource: service.name
// (saker, or OTEL_SERVICE_NAME), service.version, service.instance.id (a
// UUID per process), host.name (the alert's hostname), os.type, plus
// resource.attributes and OTEL_RESOURCE_ATTRIBUTES. With
// resource.promote_subject the alert's container and pod move into the
// resource, one ResourceLogs per subject.
//
// # Delivery
//
// The dispatcher batches (batch.max_size, batch.timeout) and queues
// (queue.size) alerts; queue.num_consumers workers call Send concurrently.
// Send builds a plog.Logs once with pdata and exports it; failures that the
// OTLP specification calls retryable (gRPC UNAVAILABLE, DEADLINE_EXCEEDED,
// …, RESOURCE_EXHAUSTED only with RetryInfo; HTTP 429/502/503/504, transport
// errors) are retried with jittered exponential back-off, or after the
// server's own delay (RetryInfo, Retry-After). Partial success counts the
// rejected records as failed. While the collector is down the queue fills;
// beyond it alerts are dropped and counted (queue_full), never silently.
// gRPC's reconnect back-off is capped at retry_on_failure.max_interval so
// the channel notices a recovered collector as fast as the retries do.
//
// Why pdata and not the OTel Go log SDK: the SDK's batch processor drops the
// oldest records silently when full, and saker must count every loss by
// reason (notes/otel.md §5).
//
// # Configuration
//
// [Config] under otlp_output, with the connection keys of
// exporter/otlpclient flat in it (endpoint, protocol, tls, headers,
// compression, timeout). [Config.ApplyEnv] applies OTEL_EXPORTER_OTLP_* /
// OTEL_EXPORTER_OTLP_LOGS_* (an endpoint there enables the output),
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; environment values override
// the file.
package otlp
