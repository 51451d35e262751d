package testenv

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func sendOne(t *testing.T, endpoint, body string) error {
	t.Helper()
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr(body)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = plogotlp.NewGRPCClient(conn).Export(ctx, plogotlp.NewExportRequestFromLogs(ld))
	return err
}

// A record sent to the collector reaches the sink through the collector's
// otlp exporter, also after a stop and restart on the same ports, and the
// collector's own metrics count it.
func TestCollectorForwardsAndRestarts(t *testing.T) {
	sink := StartLogSink(t)
	c := StartCollector(t, CollectorOptions{ForwardTo: sink.Endpoint})
	if err := sendOne(t, c.GRPCEndpoint, "first"); err != nil {
		t.Fatal(err)
	}
	if n := sink.WaitFor(1, 10*time.Second); n != 1 {
		t.Fatalf("sink got %d records, want 1", n)
	}
	if got, err := c.Metric("otelcol_receiver_accepted_log_records", `transport="grpc"`); err != nil || got != 1 {
		t.Errorf("accepted_log_records = %v, %v; want 1", got, err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := sendOne(t, c.GRPCEndpoint, "lost"); err == nil {
		t.Fatal("export to a stopped collector succeeded")
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if err := sendOne(t, c.GRPCEndpoint, "second"); err != nil {
		t.Fatal(err)
	}
	if n := sink.WaitFor(2, 10*time.Second); n != 2 {
		t.Fatalf("sink got %d records, want 2", n)
	}
	recs := sink.Records()
	if recs[0].Body().Str() != "first" || recs[1].Body().Str() != "second" {
		t.Errorf("bodies %q %q", recs[0].Body().Str(), recs[1].Body().Str())
	}
}
