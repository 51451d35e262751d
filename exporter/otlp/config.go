package otlp

import (
	"fmt"
	"time"

	"github.com/sakersec/saker/exporter/otlpclient"
)

// ConfigKey is the config section this output reads (Falco-style naming).
const ConfigKey = "otlp_output"

// Config is the otlp_output section.
type Config struct {
	// Enabled turns the output on. An endpoint in the environment
	// (OTEL_EXPORTER_OTLP_[LOGS_]ENDPOINT) turns it on too; see ApplyEnv.
	Enabled bool `yaml:"enabled" koanf:"enabled"`
	// Connection settings: endpoint, protocol, tls, headers, compression,
	// timeout — flat under otlp_output.
	otlpclient.Config `yaml:",inline" koanf:",squash"`

	Queue    QueueConfig    `yaml:"queue" koanf:"queue"`
	Batch    BatchConfig    `yaml:"batch" koanf:"batch"`
	Retry    RetryConfig    `yaml:"retry_on_failure" koanf:"retry_on_failure"`
	Resource ResourceConfig `yaml:"resource" koanf:"resource"`
}

// QueueConfig bounds the alerts waiting to be exported.
type QueueConfig struct {
	// Size is the most alerts queued; more are dropped and counted
	// (queue_full). While the collector is unreachable the queue holds what
	// arrives during retries, so size it for the outage you want to ride out.
	Size int `yaml:"size" koanf:"size"`
	// NumConsumers is how many batches may be in flight at once. Two lets
	// one batch be converted while the previous one is on the wire; more
	// helps only against a distant collector. Batches may then arrive out
	// of order (each record carries its own timestamp).
	NumConsumers int `yaml:"num_consumers" koanf:"num_consumers"`
}

// BatchConfig groups alerts into export requests.
type BatchConfig struct {
	// MaxSize is the most log records in one request.
	MaxSize int `yaml:"max_size" koanf:"max_size"`
	// Timeout is how long a partial batch waits for more alerts.
	Timeout time.Duration `yaml:"timeout" koanf:"timeout"`
}

// RetryConfig is the exponential back-off for retryable failures
// (unreachable collector, UNAVAILABLE, HTTP 429/502/503/504). Names and
// defaults follow the collector's exporterhelper retry_on_failure. A
// server's throttling hint (gRPC RetryInfo, HTTP Retry-After) replaces the
// computed delay.
type RetryConfig struct {
	Enabled         bool          `yaml:"enabled" koanf:"enabled"`
	InitialInterval time.Duration `yaml:"initial_interval" koanf:"initial_interval"`
	MaxInterval     time.Duration `yaml:"max_interval" koanf:"max_interval"`
	// MaxElapsedTime is how long one batch is retried before it is dropped
	// (permanent_failure). 0 retries until shutdown.
	MaxElapsedTime time.Duration `yaml:"max_elapsed_time" koanf:"max_elapsed_time"`
	Multiplier     float64       `yaml:"multiplier" koanf:"multiplier"`
}

// ResourceConfig describes the emitter resource.
type ResourceConfig struct {
	// Attributes are added to the resource (e.g. k8s.cluster.name,
	// deployment.environment.name). OTEL_RESOURCE_ATTRIBUTES and
	// OTEL_SERVICE_NAME override them.
	Attributes map[string]string `yaml:"attributes" koanf:"attributes"`
	// PromoteSubject puts the alert subject's container and pod
	// (container.id, container.name, container.image.name,
	// k8s.namespace.name, k8s.pod.name, k8s.pod.uid) into the resource, one
	// ResourceLogs per subject, so backends that index resource attributes
	// (Loki) can select by namespace or pod cheaply. Off by default: the
	// resource then describes saker itself, and the subject is in the
	// record attributes.
	PromoteSubject bool `yaml:"promote_subject" koanf:"promote_subject"`
}

// Default returns the defaults: disabled; grpc to http://localhost:4317
// and gzip; queue 10000 with 2 consumers; batches of up to 512 records or 200 ms; retry from
// 5 s to 30 s for up to 5 min.
func Default() Config {
	return Config{
		Config: otlpclient.Default(),
		Queue:  QueueConfig{Size: 10000, NumConsumers: 2},
		Batch:  BatchConfig{MaxSize: 512, Timeout: 200 * time.Millisecond},
		Retry: RetryConfig{
			Enabled:         true,
			InitialInterval: 5 * time.Second,
			MaxInterval:     30 * time.Second,
			MaxElapsedTime:  5 * time.Minute,
			Multiplier:      1.5,
		},
	}
}

// ApplyEnv applies the standard OpenTelemetry environment variables: the
// OTEL_EXPORTER_OTLP_* and OTEL_EXPORTER_OTLP_LOGS_* connection settings
// (see otlpclient.Config.ApplyEnv), OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES. An endpoint in the environment enables the output.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	on, err := c.Config.ApplyEnv(otlpclient.SignalLogs, getenv)
	if err != nil {
		return err
	}
	if on {
		c.Enabled = true
	}
	attrs, err := otlpclient.ResourceFromEnv(getenv)
	if err != nil {
		return err
	}
	if len(attrs) > 0 && c.Resource.Attributes == nil {
		c.Resource.Attributes = make(map[string]string, len(attrs))
	}
	for k, v := range attrs {
		c.Resource.Attributes[k] = v
	}
	return nil
}

// Validate checks an enabled config; a disabled one is not looked at.
// Errors name the key and the value.
func (c *Config) Validate() error {
	if !c.Enabled {
		return nil
	}
	if err := c.Config.Validate(ConfigKey); err != nil {
		return err
	}
	k := func(s string) string { return ConfigKey + "." + s }
	switch {
	case c.Queue.Size < 1:
		return fmt.Errorf("%s: must be >= 1, got %d", k("queue.size"), c.Queue.Size)
	case c.Queue.NumConsumers < 1:
		return fmt.Errorf("%s: must be >= 1, got %d", k("queue.num_consumers"), c.Queue.NumConsumers)
	case c.Batch.MaxSize < 1:
		return fmt.Errorf("%s: must be >= 1, got %d", k("batch.max_size"), c.Batch.MaxSize)
	case c.Batch.Timeout < 0:
		return fmt.Errorf("%s: must be >= 0, got %v", k("batch.timeout"), c.Batch.Timeout)
	}
	if r := c.Retry; r.Enabled {
		switch {
		case r.InitialInterval <= 0:
			return fmt.Errorf("%s: must be > 0, got %v", k("retry_on_failure.initial_interval"), r.InitialInterval)
		case r.MaxInterval < r.InitialInterval:
			return fmt.Errorf("%s: must be >= initial_interval (%v), got %v", k("retry_on_failure.max_interval"), r.InitialInterval, r.MaxInterval)
		case r.MaxElapsedTime < 0:
			return fmt.Errorf("%s: must be >= 0, got %v", k("retry_on_failure.max_elapsed_time"), r.MaxElapsedTime)
		case r.Multiplier < 1:
			return fmt.Errorf("%s: must be >= 1, got %v", k("retry_on_failure.multiplier"), r.Multiplier)
		}
	}
	for key := range c.Resource.Attributes {
		if key == "" {
			return fmt.Errorf("%s: empty attribute name", k("resource.attributes"))
		}
	}
	return nil
}
