package metrics

import (
	"fmt"
	"maps"
	"net"
	"strings"
	"time"

	"github.com/sakersec/saker/exporter/otlpclient"
)

// WebserverConfig is the `webserver` section, with Falco's keys. It serves
// /metrics, the health endpoint and /version on one listener.
//
//	webserver:
//	  enabled: true
//	  listen_address: 127.0.0.1     # Falco: 0.0.0.0
//	  listen_port: 8765
//	  k8s_healthz_endpoint: /healthz
//	  prometheus_metrics_enabled: true   # Falco: false
//	  ssl_enabled: false
//	  ssl_certificate: /etc/saker/saker.pem  # PEM holding the key and the certificate
//	  threadiness: 0                # accepted for Falco configs; Go serves each request on its own goroutine
type WebserverConfig struct {
	// The fields are in config.Webserver's order, so the CLI can convert
	// one to the other: metrics.WebserverConfig(cfg.Webserver).
	Enabled                  bool   `yaml:"enabled" koanf:"enabled"`
	Threadiness              int    `yaml:"threadiness" koanf:"threadiness"`
	ListenPort               int    `yaml:"listen_port" koanf:"listen_port"`
	ListenAddress            string `yaml:"listen_address" koanf:"listen_address"`
	K8sHealthzEndpoint       string `yaml:"k8s_healthz_endpoint" koanf:"k8s_healthz_endpoint"`
	PrometheusMetricsEnabled bool   `yaml:"prometheus_metrics_enabled" koanf:"prometheus_metrics_enabled"`
	SSLEnabled               bool   `yaml:"ssl_enabled" koanf:"ssl_enabled"`
	SSLCertificate           string `yaml:"ssl_certificate" koanf:"ssl_certificate"`
}

// DefaultWebserverConfig returns the defaults: on, loopback only, port 8765.
func DefaultWebserverConfig() WebserverConfig {
	return WebserverConfig{
		Enabled:                  true,
		ListenAddress:            "127.0.0.1",
		ListenPort:               8765,
		K8sHealthzEndpoint:       "/healthz",
		PrometheusMetricsEnabled: true,
		SSLCertificate:           "/etc/saker/saker.pem",
	}
}

// Validate checks the section; errors name the key and the value.
func (c *WebserverConfig) Validate() error {
	if !c.Enabled {
		return nil
	}
	if c.ListenPort < 0 || c.ListenPort > 65535 {
		return fmt.Errorf("webserver.listen_port: must be 0 to 65535, got %d", c.ListenPort)
	}
	if a := c.ListenAddress; a != "" && net.ParseIP(a) == nil && !validHostname(a) {
		return fmt.Errorf("webserver.listen_address: invalid address %q", a)
	}
	if !strings.HasPrefix(c.K8sHealthzEndpoint, "/") {
		return fmt.Errorf("webserver.k8s_healthz_endpoint: must be a path starting with /, got %q", c.K8sHealthzEndpoint)
	}
	switch c.K8sHealthzEndpoint {
	case "/metrics", "/version", "/versions":
		return fmt.Errorf("webserver.k8s_healthz_endpoint: %q is taken by another endpoint", c.K8sHealthzEndpoint)
	}
	if c.SSLEnabled && c.SSLCertificate == "" {
		return fmt.Errorf("webserver.ssl_certificate: must be set when webserver.ssl_enabled is true")
	}
	if c.Threadiness < 0 {
		return fmt.Errorf("webserver.threadiness: must be >= 0, got %d", c.Threadiness)
	}
	return nil
}

func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

// Addr is the listen address, host:port.
func (c *WebserverConfig) Addr() string {
	return net.JoinHostPort(c.ListenAddress, fmt.Sprint(c.ListenPort))
}

// Config is the `metrics` section.
//
//	metrics:
//	  enabled: true        # collect metrics (served on /metrics when the webserver is on)
//	  otlp:
//	    enabled:           # unset: push when the OTLP logs output is on
//	    interval: 15s
//	    endpoint: ""       # unset: the OTLP logs output's connection settings
//	    protocol: grpc     # and the other exporter/otlpclient keys
//
// The standard OTEL_EXPORTER_OTLP_METRICS_* and OTEL_EXPORTER_OTLP_*
// variables override the file, as for the logs output.
type Config struct {
	Enabled bool       `yaml:"enabled" koanf:"enabled"`
	OTLP    OTLPConfig `yaml:"otlp" koanf:"otlp"`
}

// OTLPConfig is the OTLP metrics push.
type OTLPConfig struct {
	// Enabled turns the push on or off; nil follows the OTLP logs output.
	Enabled *bool `yaml:"enabled" koanf:"enabled"`
	// Interval between pushes.
	Interval time.Duration `yaml:"interval" koanf:"interval"`
	// Config is the connection; an empty Endpoint means "the logs output's".
	otlpclient.Config `yaml:",inline" koanf:",squash"`
}

// DefaultConfig returns the defaults: metrics on, OTLP push following the
// logs output, every 15 s.
func DefaultConfig() Config {
	return Config{Enabled: true, OTLP: OTLPConfig{Interval: DefaultPushInterval}}
}

// Validate checks the section that does not depend on the logs output.
func (c *Config) Validate() error {
	if c.OTLP.Interval < 0 {
		return fmt.Errorf("metrics.otlp.interval: must be > 0, got %v", c.OTLP.Interval)
	}
	if c.OTLP.Endpoint != "" {
		cc := c.OTLP.Config
		if cc.Protocol == "" {
			cc.Protocol = otlpclient.ProtocolGRPC
		}
		return cc.Validate("metrics.otlp")
	}
	return nil
}

// ResolveOTLP decides whether metrics are pushed and where. logs is the
// OTLP logs output's connection config (before its own environment is
// applied) and logsEnabled whether that output is on; getenv is os.Getenv.
// With no endpoint of its own the push uses the logs output's settings;
// then OTEL_EXPORTER_OTLP_METRICS_* and OTEL_EXPORTER_OTLP_* are applied.
// An endpoint from the environment turns the push on unless enabled is
// explicitly false. It returns nil when the push is off.
func (c *Config) ResolveOTLP(logs otlpclient.Config, logsEnabled bool, getenv func(string) string) (*otlpclient.Connection, error) {
	if !c.Enabled {
		return nil, nil
	}
	cc := c.OTLP.Config
	if cc.Endpoint == "" {
		cc = logs
		if cc.Endpoint == "" {
			cc = otlpclient.Default()
		}
	}
	if cc.Protocol == "" {
		cc.Protocol = otlpclient.ProtocolGRPC
	}
	cc.Headers = maps.Clone(cc.Headers) // ApplyEnv merges into it: keep the logs output's map intact
	fromEnv, err := cc.ApplyEnv(otlpclient.SignalMetrics, getenv)
	if err != nil {
		return nil, err
	}
	on := logsEnabled || fromEnv
	if c.OTLP.Enabled != nil {
		on = *c.OTLP.Enabled
	}
	if !on {
		return nil, nil
	}
	return cc.Resolve("metrics.otlp")
}
