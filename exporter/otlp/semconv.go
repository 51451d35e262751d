package otlp

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// SchemaURL is the semantic-conventions version the attribute keys follow.
const SchemaURL = "https://opentelemetry.io/schemas/1.43.0"

// Event names of the records (the LogRecord EventName field).
const (
	EventNameAlert    = "saker.alert"
	EventNameInternal = "saker.internal"
)

// Record attribute keys that are not output fields.
const (
	AttrRuleName = "security_rule.name"
	AttrPriority = "priority"
	AttrSource   = "source"
	AttrTags     = "tags"
)

// putField writes an output field under its Falco name with its own type.
// nil values (Falco's <NA>) are left out: OTLP has no null attribute.
func putField(m pcommon.Map, name string, v any) {
	switch x := v.(type) {
	case nil:
	case string:
		m.PutStr(name, x)
	case int64:
		m.PutInt(name, x)
	case uint64:
		if x <= math.MaxInt64 {
			m.PutInt(name, int64(x))
		} else {
			m.PutStr(name, strconv.FormatUint(x, 10))
		}
	case float64:
		m.PutDouble(name, x)
	case bool:
		m.PutBool(name, x)
	case []string:
		s := m.PutEmptySlice(name)
		s.EnsureCapacity(len(x))
		for _, e := range x {
			s.AppendEmpty().SetStr(e)
		}
	case int:
		m.PutInt(name, int64(x))
	case uint32:
		m.PutInt(name, int64(x))
	case int32:
		m.PutInt(name, int64(x))
	default:
		// Not one of the documented Field types; keep it visible as text.
		m.PutStr(name, fmt.Sprint(x))
	}
}

// putSemconv adds the semantic-convention attribute that corresponds to a
// Falco field, if there is one (notes/otel.md §1.3). Fields whose Falco and
// OTel names are the same (container.id, container.name, container.image.id,
// k8s.pod.name, k8s.pod.uid) are already present under that name.
func putSemconv(m pcommon.Map, name string, v any) {
	switch name {
	case "proc.pid":
		putInt(m, "process.pid", v)
	case "proc.vpid":
		putInt(m, "process.vpid", v)
	case "proc.ppid":
		putInt(m, "process.parent_pid", v)
	case "proc.sid":
		putInt(m, "process.session_leader.pid", v)
	case "proc.name":
		putStr(m, "process.executable.name", v)
	case "proc.exepath":
		putStr(m, "process.executable.path", v)
	case "proc.cmdline":
		putStr(m, "process.command_line", v)
	case "proc.cwd":
		putStr(m, "process.working_directory", v)
	case "proc.tty":
		if n, ok := asInt(v); ok {
			m.PutBool("process.interactive", n != 0)
		}
	case "user.uid":
		putInt(m, "process.user.id", v)
	case "user.name":
		putStr(m, "process.user.name", v)
	case "container.image.repository":
		putStr(m, "container.image.name", v)
	case "container.image.tag":
		if s, ok := v.(string); ok && s != "" {
			m.PutEmptySlice("container.image.tags").AppendEmpty().SetStr(s)
		}
	case "k8s.ns.name":
		putStr(m, "k8s.namespace.name", v)
	case "fd.name":
		// fd.name is a path only for file descriptors of files; sockets
		// render as "ip:port->ip:port".
		if s, ok := v.(string); ok && strings.HasPrefix(s, "/") {
			m.PutStr("file.path", s)
		}
	case "fd.filename":
		putStr(m, "file.name", v)
	case "fd.directory":
		putStr(m, "file.directory", v)
	case "fd.lip":
		putStr(m, "network.local.address", v)
	case "fd.lport":
		putInt(m, "network.local.port", v)
	case "fd.rip":
		putStr(m, "network.peer.address", v)
	case "fd.rport":
		putInt(m, "network.peer.port", v)
	case "fd.cip":
		putStr(m, "client.address", v)
	case "fd.cport":
		putInt(m, "client.port", v)
	case "fd.sip":
		putStr(m, "server.address", v)
	case "fd.sport":
		putInt(m, "server.port", v)
	case "fd.l4proto":
		// semconv's network.transport enumerates tcp, udp, pipe, unix, quic;
		// Falco's icmp and raw have no value there.
		if s, ok := v.(string); ok && (s == "tcp" || s == "udp") {
			m.PutStr("network.transport", s)
		}
	}
}

// subjectResourceKeys maps Falco fields to the resource attributes used when
// the alert subject is promoted to the resource.
var subjectResourceKeys = [...]struct{ field, key string }{
	{"container.id", "container.id"},
	{"container.name", "container.name"},
	{"container.image.repository", "container.image.name"},
	{"k8s.ns.name", "k8s.namespace.name"},
	{"k8s.pod.name", "k8s.pod.name"},
	{"k8s.pod.uid", "k8s.pod.uid"},
}

func putStr(m pcommon.Map, key string, v any) {
	if s, ok := v.(string); ok && s != "" {
		m.PutStr(key, s)
	}
}

func putInt(m pcommon.Map, key string, v any) {
	if n, ok := asInt(v); ok {
		m.PutInt(key, n)
	}
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	case int:
		return int64(x), true
	case uint32:
		return int64(x), true
	case int32:
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}
