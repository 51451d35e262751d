package httpout

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
)

// Settings are the hooks the caller provides.
type Settings struct {
	// OnMaxConsecutiveTimeouts is called (from the output's goroutine) each
	// time an alert is given up after max_consecutive_timeouts timeouts in a
	// row; n is that count, err the last timeout. It must not block.
	OnMaxConsecutiveTimeouts func(n int, err error)
	// Echo receives response bodies when echo is on; nil means os.Stdout.
	Echo io.Writer
}

// Output posts alerts.
type Output struct {
	cfg    Config
	format exporter.Format
	set    Settings
	client *http.Client
	buf    []byte
	zbuf   bytes.Buffer
	zw     *gzip.Writer
}

// New builds the output, loading the TLS files now so that a wrong path is
// a start-up error, not a stream of failed alerts.
func New(cfg Config, format exporter.Format, set Settings) (*Output, error) {
	if !cfg.Enabled {
		return nil, errors.New(ConfigKey + ": not enabled")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tc, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	if set.Echo == nil {
		set.Echo = os.Stdout
	}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: cfg.ConnectTimeout}).DialContext,
		TLSHandshakeTimeout: cfg.ConnectTimeout,
		TLSClientConfig:     tc,
		DisableKeepAlives:   !cfg.KeepAlive,
		MaxIdleConnsPerHost: 2,
		ForceAttemptHTTP2:   true,
	}
	return &Output{cfg: cfg, format: format, set: set, client: &http.Client{Transport: tr, Timeout: cfg.Timeout}}, nil
}

func (c *Config) tlsConfig() (*tls.Config, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	add := func(key, file string) error {
		pem, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", ConfigKey, key, err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("%s.%s: no PEM certificate in %s", ConfigKey, key, file)
		}
		return nil
	}
	for _, f := range []struct{ key, file string }{{"ca_cert", c.CACert}, {"ca_bundle", c.CABundle}} {
		if f.file != "" {
			if err := add(f.key, f.file); err != nil {
				return nil, err
			}
		}
	}
	if c.CAPath != "" {
		entries, err := os.ReadDir(c.CAPath)
		if err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("%s.ca_path: %w", ConfigKey, err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			if pem, err := os.ReadFile(filepath.Join(c.CAPath, e.Name())); err == nil {
				pool.AppendCertsFromPEM(pem) // non-certificate files are skipped
			}
		}
	}
	tc := &tls.Config{RootCAs: pool, InsecureSkipVerify: c.Insecure, MinVersion: tls.VersionTLS12} //nolint:gosec // operator's choice
	if c.MTLS {
		cert, err := tls.LoadX509KeyPair(c.ClientCert, c.ClientKey)
		if err != nil {
			return nil, fmt.Errorf("%s.client_cert/client_key: %w", ConfigKey, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// Send posts each alert of the batch.
func (o *Output) Send(ctx context.Context, batch []*alert.Alert) error {
	var failed int
	var last error
	for i, a := range batch {
		if err := o.post(ctx, a); err != nil {
			failed++
			last = err
			if ctx.Err() != nil {
				// Shutting down: the rest will not go out either.
				failed += len(batch) - i - 1
				break
			}
		}
	}
	if failed > 0 {
		return &exporter.PartialError{Failed: failed, Err: last}
	}
	return nil
}

// post sends one alert, repeating it on timeouts as Falco does.
func (o *Output) post(ctx context.Context, a *alert.Alert) error {
	o.buf = o.format.AppendLine(o.buf[:0], a)
	body := o.buf
	if o.cfg.CompressUploads {
		o.zbuf.Reset()
		if o.zw == nil {
			o.zw = gzip.NewWriter(&o.zbuf)
		} else {
			o.zw.Reset(&o.zbuf)
		}
		_, _ = o.zw.Write(body)
		_ = o.zw.Close()
		body = o.zbuf.Bytes()
	}
	timeouts := 0
	for {
		err := o.do(ctx, body)
		if err == nil || !isTimeout(err) || ctx.Err() != nil {
			return err
		}
		timeouts++
		if o.cfg.MaxConsecutiveTimeouts == 0 || timeouts >= o.cfg.MaxConsecutiveTimeouts {
			if o.cfg.MaxConsecutiveTimeouts > 0 && o.set.OnMaxConsecutiveTimeouts != nil {
				o.set.OnMaxConsecutiveTimeouts(timeouts, err)
			}
			return fmt.Errorf("%s: giving up after %d consecutive timeouts: %w", ConfigKey, timeouts, err)
		}
	}
}

func (o *Output) do(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", o.format.ContentType())
	req.Header.Set("User-Agent", o.cfg.UserAgent)
	if o.cfg.CompressUploads {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if o.cfg.Echo {
		_, _ = io.Copy(o.set.Echo, io.LimitReader(resp.Body, 1<<20))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // lets the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s: %s answered %s", ConfigKey, o.cfg.URL, resp.Status)
	}
	return nil
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Close drops idle connections.
func (o *Output) Close() error {
	o.client.CloseIdleConnections()
	return nil
}
