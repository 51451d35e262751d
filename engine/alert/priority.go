package alert

import (
	"fmt"
	"strings"
)

// Priority is a rule's severity. The numbers are Falco's, which are the syslog
// levels: lower is more severe, so "at least Warning" means p <= PriorityWarning.
type Priority int8

const (
	PriorityEmergency Priority = iota
	PriorityAlert
	PriorityCritical
	PriorityError
	PriorityWarning
	PriorityNotice
	PriorityInformational
	PriorityDebug
)

var priorityNames = [...]string{"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"}

// String returns the long name Falco prints in alerts ("Informational", not "Info").
func (p Priority) String() string {
	if p < PriorityEmergency || p > PriorityDebug {
		return fmt.Sprintf("Priority(%d)", int(p))
	}
	return priorityNames[p]
}

// Valid reports whether p is one of the eight priorities.
func (p Priority) Valid() bool { return p >= PriorityEmergency && p <= PriorityDebug }

// AtLeast reports whether p is as severe as min or more severe.
func (p Priority) AtLeast(min Priority) bool { return p <= min }

// ParsePriority parses a priority name case-insensitively, accepting the
// legacy alias "info" as Falco does.
func ParsePriority(s string) (Priority, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "info" {
		return PriorityInformational, nil
	}
	for i, n := range priorityNames {
		if strings.ToLower(n) == t {
			return Priority(i), nil
		}
	}
	return 0, fmt.Errorf("invalid priority %q: want one of emergency, alert, critical, error, warning, notice, informational (info), debug", s)
}

// SeverityNumber maps a priority to the OpenTelemetry log severity number,
// following the syslog column of the OTel data-model appendix. It is monotone:
// a more severe priority has a larger number.
func (p Priority) SeverityNumber() int32 {
	switch p {
	case PriorityEmergency:
		return 21 // FATAL
	case PriorityAlert:
		return 19 // ERROR3
	case PriorityCritical:
		return 18 // ERROR2
	case PriorityError:
		return 17 // ERROR
	case PriorityWarning:
		return 13 // WARN
	case PriorityNotice:
		return 10 // INFO2
	case PriorityInformational:
		return 9 // INFO
	default:
		return 5 // DEBUG
	}
}
