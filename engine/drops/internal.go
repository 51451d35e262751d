package drops

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/sakersec/saker/engine/alert"
)

// Rule names of the internal alerts, as Falco names them (alert routing
// written for Falco matches on them).
const (
	RuleSyscallEventDrop     = "Falco internal: syscall event drop"
	RuleTimeoutsNotification = "Falco internal: timeouts notification"
)

// Options are the manager's and the timeout monitor's links to the rest of
// the program. All are optional.
type Options struct {
	// Counters reads the kernel's cumulative counters into c. nil for a
	// capture, which has none.
	Counters func(c *Counters)
	// Alert receives internal alerts (the outputs' Enqueue). nil drops them.
	Alert func(*alert.Alert)
	// Logger gets the log action's line, the exit lines and debug notes.
	Logger *slog.Logger
	// Hostname is put in internal alerts.
	Hostname string
	// EBPF is the ebpf_enabled output field: true when the events come from
	// the live eBPF capture.
	EBPF bool
	// JSONOutput mirrors json_output: the alert's Output is then the bare
	// message, as Falco writes it in the JSON "output" key; otherwise it is
	// the text line with the time/priority prefix and the fields.
	JSONOutput bool
	// ISO8601 mirrors time_format_iso_8601 for the text line's time.
	ISO8601 bool
}

func (o *Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// internalAlert builds an internal alert as Falco's handle_msg formats it:
// text "<time>: <Priority> <msg> (k1=v1 k2=v2)" with the keys sorted, or
// the bare message for JSON output. fields are sorted in place.
func (o *Options) internalAlert(ts time.Time, rule, msg string, fields []alert.Field) *alert.Alert {
	slices.SortFunc(fields, func(a, b alert.Field) int { return strings.Compare(a.Name, b.Name) })
	a := &alert.Alert{
		Time:     ts,
		Rule:     rule,
		Priority: alert.PriorityDebug,
		Message:  msg,
		Fields:   fields,
		Source:   alert.SourceInternal,
		Hostname: o.Hostname,
	}
	if o.JSONOutput {
		a.Output = msg
		return a
	}
	var b strings.Builder
	b.WriteString(o.formatTime(ts))
	b.WriteString(": ")
	b.WriteString(alert.PriorityDebug.String())
	b.WriteByte(' ')
	b.WriteString(msg)
	b.WriteString(" (")
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%v", f.Name, f.Value)
	}
	b.WriteByte(')')
	a.Output = b.String()
	return a
}

// formatTime renders ts as Falco's output prefix does: local
// HH:MM:SS.nnnnnnnnn, or with time_format_iso_8601 the UTC
// 2006-01-02T15:04:05.nnnnnnnnn+0000 form.
func (o *Options) formatTime(ts time.Time) string {
	if o.ISO8601 {
		return ts.UTC().Format("2006-01-02T15:04:05.000000000") + "+0000"
	}
	return ts.Local().Format("15:04:05.000000000")
}

// clockTime is Falco's ts_to_string without the date: local
// HH:MM:SS.nnnnnnnnn.
func clockTime(ts uint64) string {
	return time.Unix(0, int64(ts)).Local().Format("15:04:05.000000000")
}
