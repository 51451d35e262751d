package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/drops"
	"github.com/sakersec/saker/engine/sampling"
	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/exporter/otlpclient"
)

// Kernel is what the live capture reports, read at collection time.
type Kernel struct {
	drops.Counters
	// Sampled counts the events the kernel's time-window sampling dropped
	// on purpose (not in Counters.NDrops).
	Sampled uint64
	// FillRatio is how full the ring buffer is, 0–1 (the fullest one).
	FillRatio float64
}

// RuleMatch is one rule's match count.
type RuleMatch struct {
	Rule     string
	Priority alert.Priority
	Count    uint64
}

// Sources are what the metrics read at each collection. Every field is
// optional: a missing source's metrics are simply absent (a replay has no
// kernel, a run without outputs no output metrics).
type Sources struct {
	// Kernel fills k from the live capture and reports whether it could.
	Kernel func(k *Kernel) bool
	// Events returns the pipeline counters (drops.EventCounters.Snapshot).
	Events func() drops.EventCounts
	// Sampler is the engine's sampler: ratio, multiplier, engine drops.
	Sampler *sampling.Sampler
	// Controller is the adaptive controller (adaptive mode only).
	Controller *sampling.Controller
	// Drops is the drop manager.
	Drops *drops.Manager
	// Rules appends the match count of every rule that matched to dst.
	Rules func(dst []RuleMatch) []RuleMatch
	// Outputs appends every output's stats to dst (exporter.Dispatcher.Stats).
	Outputs func(dst []exporter.Stats) []exporter.Stats
	// ContainerLookups reads the container runtime (CRI) metadata lookup
	// counters (live, when a runtime answers).
	ContainerLookups func() ContainerLookups
	// RuleReloads reads the rules reload counters (live).
	RuleReloads func() RuleReloads
}

// RuleReloads count the rules reloads of a live run (SIGHUP, or changed
// files with watch_config_files) by outcome: the new rules in force, or
// refused (they did not load; the previous rules stay).
type RuleReloads struct {
	Succeeded, Failed uint64
}

// ContainerLookups are the CRI metadata lookup counters: the outcome of
// each lookup, and the ids not looked up because the queue was full (they
// are asked again later; meanwhile their events lack the metadata).
type ContainerLookups struct {
	Resolved, NotFound, Failed, Dropped uint64
}

// BuildInfo describes the running binary, for saker_build_info and /version.
type BuildInfo struct {
	Version string
	// EngineVersion is the rules engine version (Falco's engine_version
	// that rules files may require).
	EngineVersion string
}

// Options configure [New].
type Options struct {
	Build BuildInfo
	// Hostname goes into the OTLP resource (host.name).
	Hostname string
	// Resource are extra OTLP resource attributes (OTEL_RESOURCE_ATTRIBUTES).
	Resource map[string]string
	// OTLP, when set, pushes the metrics to that endpoint every PushInterval.
	OTLP         *otlpclient.Connection
	PushInterval time.Duration
	// NoRuntimeCollectors leaves out the Go and process collectors (tests
	// that compare exact output).
	NoRuntimeCollectors bool
	Logger              *slog.Logger
}

// Dropped-event reasons (label values of saker_events_dropped_total).
const (
	ReasonRingBufferFull = "ring_buffer_full"
	ReasonScratchMap     = "scratch_map_full"
	ReasonEventTooLarge  = "event_too_large"
	ReasonKernelSampling = "kernel_sampling"
	ReasonEngineSampling = "engine_sampling"
	ReasonDecodeError    = "decode_error"
)

// Metrics is the metric pipeline. Build it with [New].
type Metrics struct {
	src      Sources
	build    BuildInfo
	registry *prometheus.Registry
	provider *sdkmetric.MeterProvider
	push     *sdkmetric.PeriodicReader
	log      *slog.Logger

	inst instruments
	sets labelSets

	mu      sync.Mutex // guards the scratch buffers below; callbacks may overlap
	rules   []RuleMatch
	outputs []exporter.Stats
}

type instruments struct {
	received, dropped, processed, kernelEvents, kernelBufferDrops metric.Int64ObservableCounter
	ratioChanges, ruleMatches, alertsExported, alertsDropped      metric.Int64ObservableCounter
	dropActions, dropOccurrences                                  metric.Int64ObservableCounter
	containerLookups, containerDropped, ruleReloads               metric.Int64ObservableCounter
	ratio, multiplier, fill                                       metric.Float64ObservableGauge
	queueLength, queueCapacity, buildInfo                         metric.Int64ObservableGauge
}

// labelSets are the fixed attribute sets, built once.
type labelSets struct {
	source                                                                 [drops.NumSources]attribute.Set
	ringFull, scratch, tooLarge, kernelSampling, engineSampling, decodeErr attribute.Set
	category                                                               [drops.NumBufferCategories]attribute.Set
	action                                                                 [drops.NumActions]attribute.Set
	up, down, build                                                        attribute.Set
	resolved, notFound, failed                                             attribute.Set
	reloadOK, reloadFailed                                                 attribute.Set
}

// New builds the metrics: the instruments, the Prometheus registry and, if
// opts.OTLP is set, the OTLP push.
func New(src Sources, opts Options) (*Metrics, error) {
	m := &Metrics{src: src, build: opts.Build, registry: prometheus.NewRegistry(), log: opts.Logger}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if !opts.NoRuntimeCollectors {
		m.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	promExp, err := otelprom.New(otelprom.WithRegisterer(m.registry), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, fmt.Errorf("metrics: prometheus exporter: %w", err)
	}
	popts := []sdkmetric.Option{sdkmetric.WithReader(promExp), sdkmetric.WithResource(buildResource(opts))}
	if opts.OTLP != nil {
		exp, err := newOTLPExporter(context.Background(), opts.OTLP)
		if err != nil {
			return nil, err
		}
		if opts.OTLP.Protocol == otlpclient.ProtocolHTTPJSON {
			m.log.Info("metrics are pushed over OTLP/HTTP in protobuf: the OpenTelemetry SDK encodes metrics in nothing else (alerts go in JSON)",
				"url", opts.OTLP.SignalURL("/v1/metrics"))
		}
		interval := opts.PushInterval
		if interval <= 0 {
			interval = DefaultPushInterval
		}
		m.push = sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(interval), sdkmetric.WithTimeout(opts.OTLP.Timeout))
		popts = append(popts, sdkmetric.WithReader(m.push))
	}
	m.provider = sdkmetric.NewMeterProvider(popts...)
	if err := m.define(m.provider.Meter("github.com/sakersec/saker")); err != nil {
		_ = m.provider.Shutdown(context.Background())
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return m, nil
}

func buildResource(opts Options) *resource.Resource {
	attrs := []attribute.KeyValue{attribute.String("service.name", "saker")}
	if opts.Build.Version != "" {
		attrs = append(attrs, attribute.String("service.version", opts.Build.Version))
	}
	if opts.Hostname != "" {
		attrs = append(attrs, attribute.String("host.name", opts.Hostname))
	}
	for k, v := range opts.Resource {
		attrs = append(attrs, attribute.String(k, v))
	}
	// Later duplicates win in NewSchemaless, so OTEL_RESOURCE_ATTRIBUTES
	// can override service.name.
	return resource.NewSchemaless(attrs...)
}

func (m *Metrics) define(meter metric.Meter) error {
	var errs []error
	counter := func(name, unit, desc string) metric.Int64ObservableCounter {
		c, err := meter.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	fgauge := func(name, unit, desc string) metric.Float64ObservableGauge {
		g, err := meter.Float64ObservableGauge(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return g
	}
	igauge := func(name, unit, desc string) metric.Int64ObservableGauge {
		g, err := meter.Int64ObservableGauge(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return g
	}
	i := &m.inst
	i.received = counter("saker.events.received", "{event}", "Events read from a source (the ring buffer or a capture file), before decoding.")
	i.dropped = counter("saker.events.dropped", "{event}", "Events lost or skipped, by reason: ring_buffer_full, scratch_map_full and event_too_large (lost in the kernel), kernel_sampling and engine_sampling (skipped on purpose), decode_error.")
	i.processed = counter("saker.events.processed", "{event}", "Events that reached rule matching.")
	i.kernelEvents = counter("saker.kernel.events", "{event}", "Events the kernel programs tried to send, lost ones included (Falco's n_evts).")
	i.kernelBufferDrops = counter("saker.kernel.buffer_drops", "{event}", "Ring-buffer-full losses split by Falco's syscall category (n_drops_buffer_<category>_exit).")
	i.ratioChanges = counter("saker.sampling.ratio_changes", "{change}", "Sampling ratio changes made by the adaptive controller, by direction.")
	i.ruleMatches = counter("saker.rules.matches", "{match}", "Rule matches by rule and priority.")
	i.alertsExported = counter("saker.alerts.exported", "{alert}", "Alerts an output delivered.")
	i.alertsDropped = counter("saker.alerts.dropped", "{alert}", "Alerts an output did not deliver, by reason.")
	i.dropActions = counter("saker.drop_actions", "{action}", "Actions the syscall event drop manager performed, by action.")
	i.dropOccurrences = counter("saker.drop_occurrences", "{second}", "Seconds in which the drop manager saw drops above the threshold.")
	i.containerLookups = counter("saker.container_metadata.lookups", "{lookup}", "Container runtime (CRI) metadata lookups, by outcome: resolved, not_found, failed (timeout, runtime down).")
	i.containerDropped = counter("saker.container_metadata.dropped", "{lookup}", "Container ids not looked up because the lookup queue was full (asked again later).")
	i.ruleReloads = counter("saker.rules.reloads", "{reload}", "Rules reloads (SIGHUP, or changed rules or configuration files), by outcome: succeeded (the new rules are in force), failed (they did not load; the previous rules stay).")
	i.ratio = fgauge("saker.sampling.ratio", "", "Sampling ratio R (1, 2, 4, ... 128): the kernel keeps about 1/R of each second's droppable events.")
	i.multiplier = fgauge("saker.sampling.multiplier", "", "Sampling multiplier M: the engine keeps a droppable event with probability 1/(R×M) (M 0: no engine sampling).")
	i.fill = fgauge("saker.ring_buffer.fill_ratio", "1", "How full the ring buffer is (the fullest one), 0 to 1.")
	i.queueLength = igauge("saker.output.queue.length", "{alert}", "Alerts waiting in an output's queue.")
	i.queueCapacity = igauge("saker.output.queue.capacity", "{alert}", "Capacity of an output's queue.")
	i.buildInfo = igauge("saker.build.info", "", "Build information; the value is 1.")
	if err := errors.Join(errs...); err != nil {
		return err
	}

	s := &m.sets
	for src := range drops.NumSources {
		s.source[src] = attribute.NewSet(attribute.String("source", drops.Source(src).String()))
	}
	reason := func(r string) attribute.Set { return attribute.NewSet(attribute.String("reason", r)) }
	s.ringFull, s.scratch, s.tooLarge = reason(ReasonRingBufferFull), reason(ReasonScratchMap), reason(ReasonEventTooLarge)
	s.kernelSampling, s.engineSampling, s.decodeErr = reason(ReasonKernelSampling), reason(ReasonEngineSampling), reason(ReasonDecodeError)
	for c := range drops.NumBufferCategories {
		s.category[c] = attribute.NewSet(attribute.String("category", drops.BufferCategory(c).String()))
	}
	for a := range drops.NumActions {
		s.action[a] = attribute.NewSet(attribute.String("action", drops.Action(a).String()))
	}
	outcome := func(o string) attribute.Set { return attribute.NewSet(attribute.String("outcome", o)) }
	s.resolved, s.notFound, s.failed = outcome("resolved"), outcome("not_found"), outcome("failed")
	s.reloadOK, s.reloadFailed = outcome("succeeded"), outcome("failed")
	s.up = attribute.NewSet(attribute.String("direction", "up"))
	s.down = attribute.NewSet(attribute.String("direction", "down"))
	s.build = attribute.NewSet(attribute.String("version", m.build.Version),
		attribute.String("engine_version", m.build.EngineVersion), attribute.String("go_version", runtime.Version()))

	_, err := meter.RegisterCallback(m.observe,
		i.received, i.dropped, i.processed, i.kernelEvents, i.kernelBufferDrops, i.ratioChanges,
		i.ruleMatches, i.alertsExported, i.alertsDropped, i.dropActions, i.dropOccurrences,
		i.containerLookups, i.containerDropped, i.ruleReloads,
		i.ratio, i.multiplier, i.fill, i.queueLength, i.queueCapacity, i.buildInfo)
	return err
}

func i64(v uint64) int64 {
	if v > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(v)
}

// observe is the one callback: it reads every source once and reports.
func (m *Metrics) observe(_ context.Context, o metric.Observer) error {
	i, s := &m.inst, &m.sets
	with := metric.WithAttributeSet
	o.ObserveInt64(i.buildInfo, 1, with(s.build))

	if m.src.Kernel != nil {
		var k Kernel
		if m.src.Kernel(&k) {
			o.ObserveInt64(i.dropped, i64(k.NDropsBuffer), with(s.ringFull))
			o.ObserveInt64(i.dropped, i64(k.NDropsScratchMap), with(s.scratch))
			o.ObserveInt64(i.dropped, i64(k.NDropsMaxEventSize), with(s.tooLarge))
			o.ObserveInt64(i.dropped, i64(k.Sampled), with(s.kernelSampling))
			o.ObserveInt64(i.kernelEvents, i64(k.NEvts))
			for c := range drops.NumBufferCategories {
				o.ObserveInt64(i.kernelBufferDrops, i64(k.NDropsBufferExit[c]), with(s.category[c]))
			}
			o.ObserveFloat64(i.fill, k.FillRatio)
		}
	}
	if m.src.Events != nil {
		e := m.src.Events()
		for src := range drops.NumSources {
			o.ObserveInt64(i.received, i64(e.Received[src]), with(s.source[src]))
		}
		o.ObserveInt64(i.dropped, i64(e.DecodeErrors), with(s.decodeErr))
		o.ObserveInt64(i.processed, i64(e.Processed))
	}
	if sp := m.src.Sampler; sp != nil {
		o.ObserveInt64(i.dropped, i64(sp.Dropped()), with(s.engineSampling))
		o.ObserveFloat64(i.ratio, float64(sp.Ratio()))
		o.ObserveFloat64(i.multiplier, sp.Multiplier())
	}
	if c := m.src.Controller; c != nil {
		o.ObserveInt64(i.ratioChanges, i64(c.Increases()), with(s.up))
		o.ObserveInt64(i.ratioChanges, i64(c.Decreases()), with(s.down))
	}
	if d := m.src.Drops; d != nil {
		for a := range drops.NumActions {
			o.ObserveInt64(i.dropActions, i64(d.ActionCount(drops.Action(a))), with(s.action[a]))
		}
		o.ObserveInt64(i.dropOccurrences, i64(d.Occurrences()))
	}
	if m.src.ContainerLookups != nil {
		c := m.src.ContainerLookups()
		o.ObserveInt64(i.containerLookups, i64(c.Resolved), with(s.resolved))
		o.ObserveInt64(i.containerLookups, i64(c.NotFound), with(s.notFound))
		o.ObserveInt64(i.containerLookups, i64(c.Failed), with(s.failed))
		o.ObserveInt64(i.containerDropped, i64(c.Dropped))
	}
	if m.src.RuleReloads != nil {
		r := m.src.RuleReloads()
		o.ObserveInt64(i.ruleReloads, i64(r.Succeeded), with(s.reloadOK))
		o.ObserveInt64(i.ruleReloads, i64(r.Failed), with(s.reloadFailed))
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.src.Rules != nil {
		m.rules = m.src.Rules(m.rules[:0])
		for _, r := range m.rules {
			o.ObserveInt64(i.ruleMatches, i64(r.Count), metric.WithAttributes(
				attribute.String("rule", r.Rule), attribute.String("priority", r.Priority.String())))
		}
	}
	if m.src.Outputs != nil {
		m.outputs = m.src.Outputs(m.outputs[:0])
		for _, st := range m.outputs {
			out := attribute.String("output", st.Output)
			o.ObserveInt64(i.alertsExported, i64(st.Exported), metric.WithAttributes(out))
			for _, r := range exporter.Reasons() {
				o.ObserveInt64(i.alertsDropped, i64(st.Dropped[r]), metric.WithAttributes(out, attribute.String("reason", r.String())))
			}
			o.ObserveInt64(i.queueLength, int64(st.QueueLen), metric.WithAttributes(out))
			o.ObserveInt64(i.queueCapacity, int64(st.QueueCap), metric.WithAttributes(out))
		}
	}
	return nil
}

// Registry is the Prometheus registry (saker metrics plus Go and process
// collectors), for the stats writer and tests.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelError)})
}

// ForceFlush pushes the current values over OTLP now (no-op without OTLP).
func (m *Metrics) ForceFlush(ctx context.Context) error {
	if m.push == nil {
		return nil
	}
	return m.push.ForceFlush(ctx)
}

// Shutdown pushes a last OTLP batch and stops the provider.
func (m *Metrics) Shutdown(ctx context.Context) error { return m.provider.Shutdown(ctx) }
