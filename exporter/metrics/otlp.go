package metrics

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/sakersec/saker/exporter/otlpclient"
)

// DefaultPushInterval is how often metrics are pushed over OTLP.
const DefaultPushInterval = 15 * time.Second

// newOTLPExporter builds the OTLP metric exporter for a resolved connection.
// Every setting is passed explicitly (the exporters' own reading of
// OTEL_EXPORTER_OTLP_* is superseded): the environment has already been
// applied to the Config by otlpclient, the one place saker reads it.
func newOTLPExporter(ctx context.Context, c *otlpclient.Connection) (sdkmetric.Exporter, error) {
	switch c.Protocol {
	case otlpclient.ProtocolGRPC:
		cc, err := c.DialGRPC()
		if err != nil {
			return nil, fmt.Errorf("metrics: otlp grpc %s: %w", c.Target, err)
		}
		opts := []otlpmetricgrpc.Option{otlpmetricgrpc.WithGRPCConn(cc), otlpmetricgrpc.WithTimeout(c.Timeout)}
		if len(c.Headers) > 0 {
			opts = append(opts, otlpmetricgrpc.WithHeaders(c.Headers))
		}
		if c.Gzip {
			opts = append(opts, otlpmetricgrpc.WithCompressor("gzip"))
		}
		return otlpmetricgrpc.New(ctx, opts...)
	case otlpclient.ProtocolHTTPProtobuf, otlpclient.ProtocolHTTPJSON:
		// (http/json: the OpenTelemetry Go SDK encodes metrics in
		// protobuf only; an OTLP/HTTP receiver takes both encodings on
		// the same path. New logs it.)
		opts := []otlpmetrichttp.Option{
			otlpmetrichttp.WithEndpointURL(c.SignalURL("/v1/metrics")),
			otlpmetrichttp.WithTimeout(c.Timeout),
			otlpmetrichttp.WithHTTPClient(c.HTTPClient()),
		}
		if c.TLS == nil {
			opts = append(opts, otlpmetrichttp.WithInsecure())
		} else {
			opts = append(opts, otlpmetrichttp.WithTLSClientConfig(c.TLS))
		}
		if len(c.Headers) > 0 {
			opts = append(opts, otlpmetrichttp.WithHeaders(c.Headers))
		}
		if c.Gzip {
			opts = append(opts, otlpmetrichttp.WithCompression(otlpmetrichttp.GzipCompression))
		} else {
			opts = append(opts, otlpmetrichttp.WithCompression(otlpmetrichttp.NoCompression))
		}
		return otlpmetrichttp.New(ctx, opts...)
	default:
		return nil, fmt.Errorf("metrics: otlp protocol %q not supported", c.Protocol)
	}
}
