package otlpclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/metadata"
)

// Connection is a resolved Config: files read, endpoint parsed. Build one
// with [Config.Resolve]; it is immutable and safe to share.
type Connection struct {
	// Protocol is grpc, http/protobuf or http/json.
	Protocol string
	// Target is host:port for grpc, the base URL (or full signal URL) for HTTP.
	Target string
	// TLS is the client TLS configuration, nil for plaintext.
	TLS *tls.Config
	// Headers to send with every request.
	Headers map[string]string
	// Gzip is true when requests are compressed.
	Gzip bool
	// Timeout bounds one request.
	Timeout time.Duration

	signalURL bool
	md        metadata.MD
}

// Resolve validates c, reads its certificate files and returns the
// connection parameters.
func (c *Config) Resolve(prefix string) (*Connection, error) {
	if err := c.Validate(prefix); err != nil {
		return nil, err
	}
	target, secure, _ := c.target()
	conn := &Connection{
		Protocol:  c.Protocol,
		Target:    target,
		Headers:   c.Headers,
		Gzip:      c.Compression == "" || c.Compression == CompressionGzip,
		Timeout:   c.Timeout,
		signalURL: c.signalURL,
	}
	if conn.Timeout == 0 {
		conn.Timeout = DefaultTimeout
	}
	if secure {
		tc, err := c.TLS.load(prefix)
		if err != nil {
			return nil, err
		}
		conn.TLS = tc
	}
	if len(c.Headers) > 0 {
		conn.md = metadata.New(c.Headers)
	}
	return conn, nil
}

func (t *TLSConfig) load(prefix string) (*tls.Config, error) {
	key := func(k string) string {
		if prefix == "" {
			return "tls." + k
		}
		return prefix + ".tls." + k
	}
	tc := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: t.InsecureSkipVerify, //nolint:gosec // explicit operator choice
		ServerName:         t.ServerNameOverride,
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key("ca_file"), err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate in %s", key("ca_file"), t.CAFile)
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", key("cert_file"), key("key_file"), err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// SignalURL is the HTTP URL for a signal path such as "/v1/logs": the
// target with the path appended, unless the endpoint came from a
// signal-specific variable and is already complete.
func (c *Connection) SignalURL(path string) string {
	if c.signalURL {
		return c.Target
	}
	return strings.TrimSuffix(c.Target, "/") + path
}

// DialGRPC creates a gRPC client connection with the TLS settings. It does
// not connect until first use (grpc.NewClient semantics).
func (c *Connection) DialGRPC(opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	if c.Protocol != ProtocolGRPC {
		return nil, errors.New("otlpclient: DialGRPC on a non-grpc connection")
	}
	creds := insecure.NewCredentials()
	if c.TLS != nil {
		creds = credentials.NewTLS(c.TLS)
	}
	all := append([]grpc.DialOption{grpc.WithTransportCredentials(creds)}, opts...)
	return grpc.NewClient(c.Target, all...)
}

// CallOptions are the per-call options (compression) for gRPC calls.
func (c *Connection) CallOptions() []grpc.CallOption {
	if c.Gzip {
		return []grpc.CallOption{grpc.UseCompressor(gzip.Name)}
	}
	return nil
}

// OutgoingMetadata is the configured headers as gRPC metadata (nil if none);
// attach it with metadata.NewOutgoingContext.
func (c *Connection) OutgoingMetadata() metadata.MD { return c.md }

// HTTPClient returns a client with the TLS settings and sane connection
// limits. Per-request deadlines come from the caller's context.
func (c *Connection) HTTPClient() *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       c.TLS,
		MaxIdleConns:          4,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: tr}
}
