package otlpclient

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Signal names the telemetry kind in the signal-specific environment
// variables (OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT, ...).
type Signal string

const (
	SignalLogs    Signal = "LOGS"
	SignalMetrics Signal = "METRICS"
	SignalTraces  Signal = "TRACES"
)

// ApplyEnv overrides c with the standard OTLP exporter environment
// variables, signal-specific ones over the generic ones:
//
//	OTEL_EXPORTER_OTLP[_<SIGNAL>]_ENDPOINT, _PROTOCOL, _HEADERS, _COMPRESSION,
//	_TIMEOUT (ms), _CERTIFICATE, _CLIENT_CERTIFICATE, _CLIENT_KEY, _INSECURE
//
// A variable that is set replaces the config value; headers from the
// environment are merged over the configured ones. It reports whether an
// endpoint was given, which turns the output on. getenv is os.Getenv in
// production and a map lookup in tests. Errors name the variable.
func (c *Config) ApplyEnv(sig Signal, getenv func(string) string) (endpointSet bool, err error) {
	look := func(name string) (string, string) {
		if sig != "" {
			k := "OTEL_EXPORTER_OTLP_" + string(sig) + "_" + name
			if v := strings.TrimSpace(getenv(k)); v != "" {
				return k, v
			}
		}
		k := "OTEL_EXPORTER_OTLP_" + name
		return k, strings.TrimSpace(getenv(k))
	}
	// Protocol first: it decides how an endpoint is read.
	if k, v := look("PROTOCOL"); v != "" {
		switch v {
		case ProtocolGRPC, ProtocolHTTPProtobuf, ProtocolHTTPJSON:
			c.Protocol = v
		default:
			return false, fmt.Errorf("%s=%q: want grpc, http/protobuf or http/json", k, v)
		}
	}
	if k, v := look("ENDPOINT"); v != "" {
		if _, err := url.Parse(v); err != nil {
			return false, fmt.Errorf("%s=%q: %v", k, v, err)
		}
		c.Endpoint = v
		c.signalURL = sig != "" && k == "OTEL_EXPORTER_OTLP_"+string(sig)+"_ENDPOINT"
		endpointSet = true
	}
	if k, v := look("INSECURE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, fmt.Errorf("%s=%q: want true or false", k, v)
		}
		c.TLS.Insecure = b
	}
	if k, v := look("HEADERS"); v != "" {
		h, err := ParseHeaders(v)
		if err != nil {
			return false, fmt.Errorf("%s: %v", k, err)
		}
		if c.Headers == nil {
			c.Headers = make(map[string]string, len(h))
		}
		for hk, hv := range h {
			c.Headers[hk] = hv
		}
	}
	if k, v := look("COMPRESSION"); v != "" {
		switch v {
		case CompressionGzip, CompressionNone:
			c.Compression = v
		default:
			return false, fmt.Errorf("%s=%q: want gzip or none", k, v)
		}
	}
	if k, v := look("TIMEOUT"); v != "" {
		ms, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return false, fmt.Errorf("%s=%q: want milliseconds", k, v)
		}
		c.Timeout = time.Duration(ms) * time.Millisecond
	}
	if _, v := look("CERTIFICATE"); v != "" {
		c.TLS.CAFile = v
	}
	if _, v := look("CLIENT_CERTIFICATE"); v != "" {
		c.TLS.CertFile = v
	}
	if _, v := look("CLIENT_KEY"); v != "" {
		c.TLS.KeyFile = v
	}
	return endpointSet, nil
}

// ParseHeaders parses the W3C-baggage-like list of the OTEL_*_HEADERS
// variables: "k1=v1,k2=v2", values percent-decoded.
func ParseHeaders(s string) (map[string]string, error) {
	h := map[string]string{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("invalid header %q, want key=value", item)
		}
		dv, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("header %q: %v", k, err)
		}
		h[k] = dv
	}
	return h, nil
}

// ResourceFromEnv returns the resource attributes given by
// OTEL_RESOURCE_ATTRIBUTES ("k=v,k2=v2", percent-decoded) and
// OTEL_SERVICE_NAME (which wins for service.name). It returns nil when
// neither is set.
func ResourceFromEnv(getenv func(string) string) (map[string]string, error) {
	var attrs map[string]string
	if v := strings.TrimSpace(getenv("OTEL_RESOURCE_ATTRIBUTES")); v != "" {
		a, err := ParseHeaders(v)
		if err != nil {
			return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %v", err)
		}
		attrs = a
	}
	if v := strings.TrimSpace(getenv("OTEL_SERVICE_NAME")); v != "" {
		if attrs == nil {
			attrs = map[string]string{}
		}
		attrs["service.name"] = v
	}
	return attrs, nil
}
