package otlp

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/internal/testenv"
)

var alertTime = time.Unix(0, 1470327477881781397)

// fileAlert is a rule match on a file open inside a pod.
func fileAlert() *alert.Alert {
	return &alert.Alert{
		Time:     alertTime,
		Rule:     "Read sensitive file untrusted",
		Priority: alert.PriorityWarning,
		Output:   "2016-08-04T16:17:57.881781397+0000: Warning Sensitive file opened for reading (file=/etc/shadow user=root command=cat /etc/shadow)",
		Message:  "Sensitive file opened for reading (file=/etc/shadow user=root command=cat /etc/shadow)",
		Fields: []alert.Field{
			{Name: "evt.time.iso8601", Value: uint64(alertTime.UnixNano())},
			{Name: "evt.type", Value: "openat"},
			{Name: "fd.name", Value: "/etc/shadow"},
			{Name: "fd.filename", Value: "shadow"},
			{Name: "fd.directory", Value: "/etc"},
			{Name: "user.name", Value: "root"},
			{Name: "user.uid", Value: int64(0)},
			{Name: "proc.cmdline", Value: "cat /etc/shadow"},
			{Name: "proc.name", Value: "cat"},
			{Name: "proc.exepath", Value: "/usr/bin/cat"},
			{Name: "proc.pid", Value: int64(4242)},
			{Name: "proc.ppid", Value: int64(4200)},
			{Name: "proc.cwd", Value: "/root/"},
			{Name: "proc.tty", Value: int64(34816)},
			{Name: "proc.aname", Value: []string{"bash", "sshd"}},
			{Name: "container.id", Value: "3ad7b26ded6d"},
			{Name: "container.name", Value: "web"},
			{Name: "container.image.repository", Value: "docker.io/library/nginx"},
			{Name: "container.image.tag", Value: "1.27"},
			{Name: "container.image.id", Value: nil},
			{Name: "k8s.ns.name", Value: "shop"},
			{Name: "k8s.pod.name", Value: "web-7d9f"},
			{Name: "evt.is_open_read", Value: true},
			{Name: "evt.rawres", Value: int64(3)},
			{Name: "fd.name", Value: "/etc/shadow"}, // used twice in the output
		},
		Tags:     []string{"T1555", "container", "filesystem", "mitre_credential_access"},
		Source:   alert.SourceSyscall,
		Hostname: "node-7",
	}
}

// wantFileAttrs is what the record of fileAlert must carry: rule identity,
// every non-null output field under its Falco name and type, and the
// semantic-convention duplicates.
func wantFileAttrs() map[string]any {
	return map[string]any{
		"security_rule.name": "Read sensitive file untrusted",
		"priority":           "Warning",
		"source":             "syscall",
		"tags":               []any{"T1555", "container", "filesystem", "mitre_credential_access"},

		"evt.time.iso8601":           int64(1470327477881781397),
		"evt.type":                   "openat",
		"fd.name":                    "/etc/shadow",
		"fd.filename":                "shadow",
		"fd.directory":               "/etc",
		"user.name":                  "root",
		"user.uid":                   int64(0),
		"proc.cmdline":               "cat /etc/shadow",
		"proc.name":                  "cat",
		"proc.exepath":               "/usr/bin/cat",
		"proc.pid":                   int64(4242),
		"proc.ppid":                  int64(4200),
		"proc.cwd":                   "/root/",
		"proc.tty":                   int64(34816),
		"proc.aname":                 []any{"bash", "sshd"},
		"container.id":               "3ad7b26ded6d",
		"container.name":             "web",
		"container.image.repository": "docker.io/library/nginx",
		"container.image.tag":        "1.27",
		"k8s.ns.name":                "shop",
		"k8s.pod.name":               "web-7d9f",
		"evt.is_open_read":           true,
		"evt.rawres":                 int64(3),

		"file.path":                 "/etc/shadow",
		"file.name":                 "shadow",
		"file.directory":            "/etc",
		"process.user.name":         "root",
		"process.user.id":           int64(0),
		"process.command_line":      "cat /etc/shadow",
		"process.executable.name":   "cat",
		"process.executable.path":   "/usr/bin/cat",
		"process.pid":               int64(4242),
		"process.parent_pid":        int64(4200),
		"process.working_directory": "/root/",
		"process.interactive":       true,
		"container.image.name":      "docker.io/library/nginx",
		"container.image.tags":      []any{"1.27"},
		"k8s.namespace.name":        "shop",
	}
}

// netAlert is an outbound connection on the host.
func netAlert() *alert.Alert {
	return &alert.Alert{
		Time:     alertTime.Add(time.Second),
		Rule:     "Outbound connection to C2",
		Priority: alert.PriorityCritical,
		Output:   "... Critical Outbound connection (connection=10.0.0.1:5555->10.0.0.2:443)",
		Fields: []alert.Field{
			{Name: "fd.name", Value: "10.0.0.1:5555->10.0.0.2:443"},
			{Name: "fd.l4proto", Value: "tcp"},
			{Name: "fd.lip", Value: "10.0.0.1"},
			{Name: "fd.lport", Value: uint64(5555)},
			{Name: "fd.rip", Value: "10.0.0.2"},
			{Name: "fd.rport", Value: uint64(443)},
			{Name: "fd.sip", Value: "10.0.0.2"},
			{Name: "fd.sport", Value: uint64(443)},
			{Name: "fd.cip", Value: "10.0.0.1"},
			{Name: "fd.cport", Value: uint64(5555)},
			{Name: "proc.vpid", Value: int64(1)},
			{Name: "proc.sid", Value: int64(77)},
			{Name: "evt.latency", Value: float64(0.25)},
			{Name: "container.id", Value: "host"},
		},
		Tags:     []string{"network"},
		Source:   alert.SourceSyscall,
		Hostname: "node-7",
	}
}

func wantNetAttrs() map[string]any {
	return map[string]any{
		"security_rule.name": "Outbound connection to C2",
		"priority":           "Critical",
		"source":             "syscall",
		"tags":               []any{"network"},

		"fd.name":      "10.0.0.1:5555->10.0.0.2:443",
		"fd.l4proto":   "tcp",
		"fd.lip":       "10.0.0.1",
		"fd.lport":     int64(5555),
		"fd.rip":       "10.0.0.2",
		"fd.rport":     int64(443),
		"fd.sip":       "10.0.0.2",
		"fd.sport":     int64(443),
		"fd.cip":       "10.0.0.1",
		"fd.cport":     int64(5555),
		"proc.vpid":    int64(1),
		"proc.sid":     int64(77),
		"evt.latency":  0.25,
		"container.id": "host",

		"network.transport":          "tcp",
		"network.local.address":      "10.0.0.1",
		"network.local.port":         int64(5555),
		"network.peer.address":       "10.0.0.2",
		"network.peer.port":          int64(443),
		"server.address":             "10.0.0.2",
		"server.port":                int64(443),
		"client.address":             "10.0.0.1",
		"client.port":                int64(5555),
		"process.vpid":               int64(1),
		"process.session_leader.pid": int64(77),
	}
}

// internalAlert is a drop notification: source internal, no tags.
func internalAlert() *alert.Alert {
	return &alert.Alert{
		Time:     alertTime.Add(2 * time.Second),
		Rule:     "Falco internal: syscall event drop",
		Priority: alert.PriorityDebug,
		Output:   "... Debug Falco internal: syscall event drop. 9 system calls dropped in last second.",
		Fields:   []alert.Field{{Name: "n_drops", Value: "9"}, {Name: "n_evts", Value: "100"}},
		Source:   alert.SourceInternal,
		Hostname: "node-7",
	}
}

func wantInternalAttrs() map[string]any {
	return map[string]any{
		"security_rule.name": "Falco internal: syscall event drop",
		"priority":           "Debug",
		"source":             "internal",
		"n_drops":            "9",
		"n_evts":             "100",
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// seqAlert is a small alert numbered by the seq attribute, for counting.
func seqAlert(batch string, i int) *alert.Alert {
	return &alert.Alert{
		Time: time.Now(), Rule: "seq", Priority: alert.PriorityNotice,
		Output: "seq " + strconv.Itoa(i),
		Fields: []alert.Field{{Name: "seq", Value: int64(i)}, {Name: "batch", Value: batch}},
		Source: alert.SourceSyscall, Hostname: "h",
	}
}

// testConfig is an enabled plaintext config for endpoint.
func testConfig(endpoint, protocol string) Config {
	cfg := Default()
	cfg.Enabled = true
	cfg.Endpoint = endpoint
	cfg.Protocol = protocol
	cfg.TLS.Insecure = true
	cfg.Batch.Timeout = 20 * time.Millisecond
	// One worker: tests that count requests need one batch at a time. The
	// outage test and the benchmark use the default (concurrent) setting.
	cfg.Queue.NumConsumers = 1
	cfg.Retry.InitialInterval = 50 * time.Millisecond
	cfg.Retry.MaxInterval = 500 * time.Millisecond
	return cfg
}

// deliver runs alerts through a dispatcher with one OTLP output and closes it.
func deliver(t *testing.T, cfg Config, as ...*alert.Alert) exporter.Stats {
	t.Helper()
	dst, err := NewDestination(cfg, Settings{ServiceVersion: "test-1.2.3", Hostname: "fallback-host"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := exporter.New(exporter.Options{}, dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		d.Enqueue(a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return d.Stats(nil)[0]
}

func recordsByRule(recs []testenv.Record) map[string]testenv.Record {
	m := map[string]testenv.Record{}
	for _, r := range recs {
		if v, ok := r.Attributes().Get(AttrRuleName); ok {
			m[v.Str()] = r
		}
	}
	return m
}

func itoa(i int) string { return strconv.Itoa(i) }

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
