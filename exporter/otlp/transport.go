package otlp

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/sakersec/saker/exporter/otlpclient"
)

// sender is one transport: it sends a request once and classifies failures.
type sender interface {
	// export returns the number of records the receiver rejected (partial
	// success) and its message, or an error, retryable if *exportError says so.
	export(ctx context.Context, req plogotlp.ExportRequest) (rejected int64, msg string, err error)
	close() error
}

// exportError is a failed attempt with its retry classification.
type exportError struct {
	err       error
	retryable bool
	// throttle is the server's requested delay before retrying, 0 if none.
	throttle time.Duration
}

func (e *exportError) Error() string { return e.err.Error() }
func (e *exportError) Unwrap() error { return e.err }

// --- gRPC ---

type grpcSender struct {
	cc     *grpc.ClientConn
	client plogotlp.GRPCClient
	md     metadata.MD
	opts   []grpc.CallOption
}

func newGRPCSender(conn *otlpclient.Connection, retry RetryConfig) (*grpcSender, error) {
	// gRPC's own reconnect back-off grows to 120 s by default, so after a
	// long outage the channel would stay in TRANSIENT_FAILURE (failing every
	// retry fast) long after the collector is back. Cap it by our retry
	// interval so recovery is as quick as the retry policy promises.
	bo := backoff.DefaultConfig
	if retry.Enabled && retry.MaxInterval > 0 {
		bo.BaseDelay = min(bo.BaseDelay, retry.InitialInterval)
		bo.MaxDelay = retry.MaxInterval
	}
	cc, err := conn.DialGRPC(grpc.WithConnectParams(grpc.ConnectParams{Backoff: bo, MinConnectTimeout: conn.Timeout}))
	if err != nil {
		return nil, err
	}
	return &grpcSender{cc: cc, client: plogotlp.NewGRPCClient(cc), md: conn.OutgoingMetadata(), opts: conn.CallOptions()}, nil
}

func (s *grpcSender) export(ctx context.Context, req plogotlp.ExportRequest) (int64, string, error) {
	if s.md != nil {
		ctx = metadata.NewOutgoingContext(ctx, s.md)
	}
	resp, err := s.client.Export(ctx, req, s.opts...)
	if err != nil {
		return 0, "", classifyGRPC(err)
	}
	ps := resp.PartialSuccess()
	return ps.RejectedLogRecords(), ps.ErrorMessage(), nil
}

func (s *grpcSender) close() error { return s.cc.Close() }

// classifyGRPC applies the OTLP/gRPC retry rules: these codes are
// retryable; RESOURCE_EXHAUSTED only when the server sent RetryInfo.
func classifyGRPC(err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return &exportError{err: err, retryable: true}
	}
	var throttle time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay() != nil {
			throttle = ri.GetRetryDelay().AsDuration()
		}
	}
	retryable := false
	switch st.Code() {
	case codes.Canceled, codes.DeadlineExceeded, codes.Aborted, codes.OutOfRange, codes.Unavailable, codes.DataLoss:
		retryable = true
	case codes.ResourceExhausted:
		retryable = throttle > 0
	}
	return &exportError{err: err, retryable: retryable, throttle: throttle}
}

// --- OTLP/HTTP: http/protobuf and http/json ---

// maxResponseBody bounds how much of a response is read.
const maxResponseBody = 1 << 20

type httpSender struct {
	client    *http.Client
	url       string
	headers   map[string]string
	json      bool // http/json: the JSON encoding of the same messages
	gzip      bool
	zw        sync.Pool // *gzip.Writer; export runs on several workers
	userAgent string
}

func newHTTPSender(conn *otlpclient.Connection, version string) *httpSender {
	ua := "saker"
	if version != "" {
		ua += "/" + version
	}
	return &httpSender{client: conn.HTTPClient(), url: conn.SignalURL("/v1/logs"), headers: conn.Headers,
		json: conn.Protocol == otlpclient.ProtocolHTTPJSON, gzip: conn.Gzip, userAgent: ua}
}

func (s *httpSender) export(ctx context.Context, req plogotlp.ExportRequest) (int64, string, error) {
	marshal, contentType := req.MarshalProto, "application/x-protobuf"
	if s.json {
		marshal, contentType = req.MarshalJSON, "application/json"
	}
	body, err := marshal()
	if err != nil {
		return 0, "", fmt.Errorf("marshal: %w", err)
	}
	if s.gzip {
		// A fresh buffer each time: the transport may still read the last
		// body after an early response.
		var buf bytes.Buffer
		buf.Grow(len(body) / 4)
		zw, _ := s.zw.Get().(*gzip.Writer)
		if zw == nil {
			zw = gzip.NewWriter(&buf)
		} else {
			zw.Reset(&buf)
		}
		_, _ = zw.Write(body)
		err := zw.Close()
		s.zw.Put(zw)
		if err != nil {
			return 0, "", fmt.Errorf("gzip: %w", err)
		}
		body = buf.Bytes()
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	hreq.Header.Set("Content-Type", contentType)
	hreq.Header.Set("User-Agent", s.userAgent)
	if s.gzip {
		hreq.Header.Set("Content-Encoding", "gzip")
	}
	for k, v := range s.headers {
		hreq.Header.Set(k, v)
	}
	resp, err := s.client.Do(hreq)
	if err != nil {
		// Connection refused, reset, timeout: the collector may come back.
		return 0, "", &exportError{err: err, retryable: true}
	}
	defer resp.Body.Close()
	rb, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// the response is in the encoding it says (the request's, per
		// the OTLP specification)
		er := plogotlp.NewExportResponse()
		unmarshal := er.UnmarshalProto
		switch ct := resp.Header.Get("Content-Type"); {
		case strings.Contains(ct, "protobuf"):
		case strings.Contains(ct, "json"):
			unmarshal = er.UnmarshalJSON
		default:
			return 0, "", nil
		}
		if rerr != nil || len(rb) == 0 || unmarshal(rb) != nil {
			return 0, "", nil // delivered; an unreadable response body does not undo that
		}
		ps := er.PartialSuccess()
		return ps.RejectedLogRecords(), ps.ErrorMessage(), nil
	}
	e := &exportError{err: fmt.Errorf("HTTP %d from %s: %s", resp.StatusCode, s.url, snippet(rb))}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		e.retryable = true
		e.throttle = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return 0, "", e
}

func (s *httpSender) close() error {
	s.client.CloseIdleConnections()
	return nil
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// snippet is a short printable piece of a response body for errors.
func snippet(b []byte) string {
	const n = 200
	s := strings.TrimSpace(strings.ToValidUTF8(string(b), "?"))
	if len(s) > n {
		s = s[:n] + "..."
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}

// isRetryable reports whether err is a retryable export failure and the
// server's throttling delay.
func isRetryable(err error) (bool, time.Duration) {
	var e *exportError
	if errors.As(err, &e) {
		return e.retryable, e.throttle
	}
	return false, 0
}
