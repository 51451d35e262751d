package otlpclient

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Protocols accepted in Config.Protocol and OTEL_EXPORTER_OTLP_PROTOCOL.
const (
	ProtocolGRPC         = "grpc"
	ProtocolHTTPProtobuf = "http/protobuf"
	// ProtocolHTTPJSON is OTLP/HTTP with the JSON encoding of the same
	// messages (same paths and ports as http/protobuf).
	ProtocolHTTPJSON = "http/json"
)

// HTTP reports whether protocol is one of the OTLP/HTTP encodings.
func HTTP(protocol string) bool {
	return protocol == ProtocolHTTPProtobuf || protocol == ProtocolHTTPJSON
}

// Compression values.
const (
	CompressionGzip = "gzip"
	CompressionNone = "none"
)

// Default ports of the OTLP receivers, used when an endpoint names none.
const (
	DefaultGRPCPort = "4317"
	DefaultHTTPPort = "4318"
)

// DefaultTimeout bounds one export request.
const DefaultTimeout = 10 * time.Second

// Config is where and how to reach an OTLP receiver. The key names are the
// collector's (its otlp/otlphttp exporters), so operators see familiar knobs.
type Config struct {
	// Endpoint is host:port, or a URL. For grpc a URL's scheme decides
	// plaintext (http) or TLS (https); for http/protobuf and http/json it is the base URL
	// and the signal path (/v1/logs) is appended. Without a scheme TLS is
	// used unless tls.insecure is set.
	Endpoint string `yaml:"endpoint" koanf:"endpoint"`
	// Protocol is grpc, http/protobuf or http/json.
	Protocol string    `yaml:"protocol" koanf:"protocol"`
	TLS      TLSConfig `yaml:"tls" koanf:"tls"`
	// Headers are sent with every request (gRPC metadata or HTTP headers),
	// e.g. an authorization token or a tenant id.
	Headers map[string]string `yaml:"headers" koanf:"headers"`
	// Compression is gzip or none.
	Compression string `yaml:"compression" koanf:"compression"`
	// Timeout bounds one export request (one attempt; retries have their own budget).
	Timeout time.Duration `yaml:"timeout" koanf:"timeout"`

	// signalURL is set when Endpoint came from a signal-specific variable
	// (OTEL_EXPORTER_OTLP_LOGS_ENDPOINT): for HTTP it is then the full URL.
	signalURL bool
}

// TLSConfig is the client side of TLS.
type TLSConfig struct {
	// Insecure sends plaintext (no TLS at all).
	Insecure bool `yaml:"insecure" koanf:"insecure"`
	// InsecureSkipVerify uses TLS but does not verify the server certificate.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify" koanf:"insecure_skip_verify"`
	// CAFile is a PEM bundle of CAs to verify the server with, instead of
	// the system pool.
	CAFile string `yaml:"ca_file" koanf:"ca_file"`
	// CertFile and KeyFile are the client certificate and key for mutual TLS.
	CertFile string `yaml:"cert_file" koanf:"cert_file"`
	KeyFile  string `yaml:"key_file" koanf:"key_file"`
	// ServerNameOverride replaces the host name used to verify the server.
	ServerNameOverride string `yaml:"server_name_override" koanf:"server_name_override"`
}

// Default returns the defaults: grpc to http://localhost:4317 (plaintext, the
// OTLP specification's default endpoint), gzip, 10 s.
func Default() Config {
	return Config{
		Endpoint:    "http://localhost:" + DefaultGRPCPort,
		Protocol:    ProtocolGRPC,
		Compression: CompressionGzip,
		Timeout:     DefaultTimeout,
	}
}

// Validate checks the settings. prefix is the config key the Config sits
// under (e.g. "otlp_output"), used to name the key in errors.
func (c *Config) Validate(prefix string) error {
	key := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch c.Protocol {
	case ProtocolGRPC, ProtocolHTTPProtobuf, ProtocolHTTPJSON:
	default:
		return fmt.Errorf("%s: invalid value %q, want grpc, http/protobuf or http/json", key("protocol"), c.Protocol)
	}
	if c.Endpoint == "" {
		return fmt.Errorf("%s: must be set", key("endpoint"))
	}
	if _, _, err := c.target(); err != nil {
		return fmt.Errorf("%s: invalid value %q: %v", key("endpoint"), c.Endpoint, err)
	}
	switch c.Compression {
	case "", CompressionGzip, CompressionNone:
	default:
		return fmt.Errorf("%s: invalid value %q, want gzip or none", key("compression"), c.Compression)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("%s: must be >= 0, got %v", key("timeout"), c.Timeout)
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		return fmt.Errorf("%s and %s must be set together", key("tls.cert_file"), key("tls.key_file"))
	}
	for k := range c.Headers {
		if k == "" || strings.ContainsAny(k, " \t\r\n:") {
			return fmt.Errorf("%s: invalid header name %q", key("headers"), k)
		}
	}
	return nil
}

// target parses Endpoint into what the transport dials: for grpc host:port,
// for HTTP the full URL of the logs path's base (or the signal URL). secure
// says whether TLS is used.
func (c *Config) target() (target string, secure bool, err error) {
	ep := strings.TrimSpace(c.Endpoint)
	secure = !c.TLS.Insecure
	var u *url.URL
	if strings.Contains(ep, "://") {
		u, err = url.Parse(ep)
		if err != nil {
			return "", false, err
		}
		switch u.Scheme {
		case "http":
			secure = false
		case "https":
			secure = true
		default:
			return "", false, fmt.Errorf("scheme %q, want http or https", u.Scheme)
		}
		if u.Host == "" {
			return "", false, fmt.Errorf("no host")
		}
	} else {
		scheme := "https"
		if !secure {
			scheme = "http"
		}
		u = &url.URL{Scheme: scheme, Host: ep}
		if strings.ContainsAny(ep, "/?#") {
			return "", false, fmt.Errorf("host:port expected, or a URL with a scheme")
		}
	}
	if c.Protocol == ProtocolGRPC {
		host, port := u.Hostname(), u.Port()
		if host == "" {
			return "", false, fmt.Errorf("no host")
		}
		if port == "" {
			port = DefaultGRPCPort
		}
		return net.JoinHostPort(host, port), secure, nil
	}
	if u.Port() == "" && !strings.Contains(ep, "://") {
		u.Host = net.JoinHostPort(u.Hostname(), DefaultHTTPPort)
	}
	return u.String(), secure, nil
}
