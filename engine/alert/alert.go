package alert

import "time"

// Source names used in [Alert.Source].
const (
	SourceSyscall  = "syscall"
	SourceInternal = "internal" // drop monitor, timeouts: not a rule match
)

// Field is one output field of an alert, under its Falco name
// ("proc.cmdline", "fd.name", "evt.time.iso8601", or a custom key from
// append_output extra fields).
//
// Value is nil when the field could not be extracted for the event (Falco's
// <NA>, JSON null), and otherwise one of: string, int64, uint64, float64, bool,
// []string. Times are uint64 nanoseconds since the epoch, as in Falco's JSON.
type Field struct {
	Name  string
	Value any
}

// Alert is one rule match (or one internal notification) ready for export.
type Alert struct {
	// Time is the time of the event that matched.
	Time time.Time
	// Rule is the rule name, e.g. "Write below etc", or for internal alerts
	// "Falco internal: syscall event drop".
	Rule     string
	Priority Priority
	// Output is the full text line: the time/priority prefix followed by
	// Message, exactly as Falco prints it on stdout.
	Output string
	// Message is the rule's formatted output without the prefix.
	Message string
	// Fields holds the output fields in the order they first appear in the
	// output format (prefix fields first), then extra fields.
	Fields []Field
	// Tags are the rule's tags, sorted and deduplicated. Internal alerts have none.
	Tags []string
	// Source is the event source: "syscall" for rule matches, "internal" for
	// saker's own notifications.
	Source   string
	Hostname string
}

// Lookup returns the value of the named output field and whether the alert has it.
func (a *Alert) Lookup(name string) (any, bool) {
	for i := range a.Fields {
		if a.Fields[i].Name == name {
			return a.Fields[i].Value, true
		}
	}
	return nil, false
}
