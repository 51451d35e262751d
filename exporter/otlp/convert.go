package otlp

import (
	"crypto/rand"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/sakersec/saker/engine/alert"
)

// ScopeName is the instrumentation scope of alert records.
const ScopeName = "saker"

// converter turns batches of alerts into plog.Logs. It is immutable after
// construction and used from the exporter's one goroutine.
type converter struct {
	// resource holds the static resource attributes in a fixed order:
	// service.*, os.type, then the configured ones (which override).
	resource [][2]string
	// hostFixed is true when the configured attributes set host.name; the
	// alert's hostname is then not used.
	hostFixed bool
	hostname  string // fallback when an alert has no hostname
	promote   bool
	version   string
}

func newConverter(cfg ResourceConfig, version, hostname string) *converter {
	base := map[string]string{
		"service.name":        "saker",
		"service.instance.id": newInstanceID(),
		"os.type":             "linux",
	}
	if version != "" {
		base["service.version"] = version
	}
	_, hostFixed := cfg.Attributes["host.name"]
	maps.Copy(base, cfg.Attributes)
	c := &converter{hostFixed: hostFixed, hostname: hostname, promote: cfg.PromoteSubject, version: version}
	for _, k := range slices.Sorted(maps.Keys(base)) {
		c.resource = append(c.resource, [2]string{k, base[k]})
	}
	return c
}

// newInstanceID is a random UUID v4 naming this process (service.instance.id).
func newInstanceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// group is the records of one ResourceLogs.
type group struct {
	key     string
	records plog.LogRecordSlice
}

// build converts a batch. Alerts that share hostname (and, with subject
// promotion, container and pod) share a ResourceLogs.
func (c *converter) build(batch []*alert.Alert, observed time.Time) plog.Logs {
	ld := plog.NewLogs()
	obs := pcommon.NewTimestampFromTime(observed)
	var groups []group
	last := -1
	for _, a := range batch {
		key := c.groupKey(a)
		if last < 0 || groups[last].key != key {
			last = -1
			for i := range groups {
				if groups[i].key == key {
					last = i
					break
				}
			}
			if last < 0 {
				groups = append(groups, group{key: key, records: c.newResource(ld, a, len(batch))})
				last = len(groups) - 1
			}
		}
		fillRecord(groups[last].records.AppendEmpty(), a, obs)
	}
	return ld
}

func (c *converter) groupKey(a *alert.Alert) string {
	if !c.promote {
		return a.Hostname
	}
	var b strings.Builder
	b.WriteString(a.Hostname)
	for _, s := range subjectResourceKeys {
		b.WriteByte(0)
		if v, ok := a.Lookup(s.field); ok {
			if str, ok := v.(string); ok {
				b.WriteString(str)
			}
		}
	}
	return b.String()
}

func (c *converter) newResource(ld plog.Logs, a *alert.Alert, capacity int) plog.LogRecordSlice {
	rl := ld.ResourceLogs().AppendEmpty()
	rl.SetSchemaUrl(SchemaURL)
	attrs := rl.Resource().Attributes()
	attrs.EnsureCapacity(len(c.resource) + 1 + len(subjectResourceKeys))
	for _, kv := range c.resource {
		attrs.PutStr(kv[0], kv[1])
	}
	if !c.hostFixed {
		h := a.Hostname
		if h == "" {
			h = c.hostname
		}
		if h != "" {
			attrs.PutStr("host.name", h)
		}
	}
	if c.promote {
		if id, _ := a.Lookup("container.id"); id != nil && id != "" && id != "host" {
			for _, s := range subjectResourceKeys {
				if v, ok := a.Lookup(s.field); ok {
					putStr(attrs, s.key, v)
				}
			}
		} else if ns, _ := a.Lookup("k8s.ns.name"); ns != nil && ns != "" {
			for _, s := range subjectResourceKeys[3:] {
				if v, ok := a.Lookup(s.field); ok {
					putStr(attrs, s.key, v)
				}
			}
		}
	}
	sl := rl.ScopeLogs().AppendEmpty()
	sl.SetSchemaUrl(SchemaURL)
	sl.Scope().SetName(ScopeName)
	sl.Scope().SetVersion(c.version)
	recs := sl.LogRecords()
	recs.EnsureCapacity(capacity)
	return recs
}

// fillRecord writes one alert as a log record (notes/otel.md §1).
func fillRecord(lr plog.LogRecord, a *alert.Alert, observed pcommon.Timestamp) {
	if !a.Time.IsZero() {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(a.Time))
	}
	lr.SetObservedTimestamp(observed)
	lr.SetSeverityNumber(plog.SeverityNumber(a.Priority.SeverityNumber()))
	lr.SetSeverityText(a.Priority.String())
	lr.Body().SetStr(a.Output)
	if a.Source == alert.SourceInternal {
		lr.SetEventName(EventNameInternal)
	} else {
		lr.SetEventName(EventNameAlert)
	}
	attrs := lr.Attributes()
	attrs.EnsureCapacity(4 + 2*len(a.Fields))
	attrs.PutStr(AttrRuleName, a.Rule)
	attrs.PutStr(AttrPriority, a.Priority.String())
	attrs.PutStr(AttrSource, a.Source)
	if len(a.Tags) > 0 {
		s := attrs.PutEmptySlice(AttrTags)
		s.EnsureCapacity(len(a.Tags))
		for _, t := range a.Tags {
			s.AppendEmpty().SetStr(t)
		}
	}
	for i := range a.Fields {
		f := &a.Fields[i]
		putField(attrs, f.Name, f.Value)
		putSemconv(attrs, f.Name, f.Value)
	}
}
