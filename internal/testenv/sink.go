package testenv

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	_ "google.golang.org/grpc/encoding/gzip" // collectors send gzip by default
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// LogSink is an OTLP/gRPC logs receiver in the test process.
type LogSink struct {
	plogotlp.UnimplementedGRPCServer
	// Endpoint is the sink's host:port (plaintext).
	Endpoint string

	// CountOnly, when set, makes the sink count records without keeping
	// them (for benchmarks that send millions).
	CountOnly atomic.Bool

	srv *grpc.Server

	mu       sync.Mutex
	cond     *sync.Cond
	received []plog.Logs
	records  int
	requests int
	headers  []metadata.MD
	failures []error
}

// Record is one received log record with the resource and scope it came with.
type Record struct {
	Resource pcommon.Resource
	Scope    pcommon.InstrumentationScope
	plog.LogRecord
}

// StartLogSink starts a sink on a free loopback port; it stops with the test.
func StartLogSink(tb testing.TB, opts ...grpc.ServerOption) *LogSink {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("log sink: %v", err)
	}
	s := &LogSink{Endpoint: l.Addr().String(), srv: grpc.NewServer(opts...)}
	s.cond = sync.NewCond(&s.mu)
	plogotlp.RegisterGRPCServer(s.srv, s)
	go func() { _ = s.srv.Serve(l) }()
	tb.Cleanup(s.srv.Stop)
	return s
}

// Export implements the OTLP logs service.
func (s *LogSink) Export(ctx context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.headers = append(s.headers, md)
	if len(s.failures) > 0 {
		err := s.failures[0]
		s.failures = s.failures[1:]
		return plogotlp.NewExportResponse(), err
	}
	if s.CountOnly.Load() {
		s.records += req.Logs().LogRecordCount()
		s.cond.Broadcast()
		return plogotlp.NewExportResponse(), nil
	}
	ld := plog.NewLogs()
	req.Logs().CopyTo(ld)
	s.received = append(s.received, ld)
	s.records += ld.LogRecordCount()
	s.cond.Broadcast()
	return plogotlp.NewExportResponse(), nil
}

// FailNext makes the next len(errs) requests fail with these errors (e.g.
// status.Error(codes.Unavailable, "...")) without storing their records.
func (s *LogSink) FailNext(errs ...error) {
	s.mu.Lock()
	s.failures = append(s.failures, errs...)
	s.mu.Unlock()
}

// ErrUnavailable is a retryable OTLP error for FailNext.
func ErrUnavailable() error { return status.Error(codes.Unavailable, "sink told to fail") }

// Count is the number of records received so far.
func (s *LogSink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.records
}

// Requests is the number of Export calls, including failed ones.
func (s *LogSink) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Headers returns the gRPC metadata of every request so far.
func (s *LogSink) Headers() []metadata.MD {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]metadata.MD(nil), s.headers...)
}

// WaitFor waits until at least n records arrived or timeout passed, and
// returns the count reached.
func (s *LogSink) WaitFor(n int, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	stop := time.AfterFunc(timeout, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stop.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.records < n && time.Now().Before(deadline) {
		s.cond.Wait()
	}
	return s.records
}

// Records returns every record received so far, flattened, in arrival order.
func (s *LogSink) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Record
	for _, ld := range s.received {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			rl := ld.ResourceLogs().At(i)
			for j := 0; j < rl.ScopeLogs().Len(); j++ {
				sl := rl.ScopeLogs().At(j)
				for k := 0; k < sl.LogRecords().Len(); k++ {
					out = append(out, Record{Resource: rl.Resource(), Scope: sl.Scope(), LogRecord: sl.LogRecords().At(k)})
				}
			}
		}
	}
	return out
}
