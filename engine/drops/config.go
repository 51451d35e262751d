package drops

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Action is what the manager does about a second with drops.
type Action uint8

const (
	ActionIgnore Action = iota
	ActionLog
	ActionAlert
	ActionExit

	// NumActions is the number of actions, for arrays indexed by Action.
	NumActions = int(ActionExit) + 1
)

var actionNames = [NumActions]string{"ignore", "log", "alert", "exit"}

// String returns the config (and metric label) name, e.g. "alert".
func (a Action) String() string {
	if int(a) < NumActions {
		return actionNames[a]
	}
	return fmt.Sprintf("Action(%d)", a)
}

// Config is the `syscall_event_drops` section, with Falco's keys.
//
//	syscall_event_drops:
//	  threshold: .1          # [0, 1]
//	  actions: [log, alert]  # ignore | log | alert | exit; empty = ignore
//	  rate: .03333           # tokens per second: one action per 30 s
//	  max_burst: 10
//	  simulate_drops: false  # test aid: one drop every second, threshold 0
type Config struct {
	Threshold     float64  `yaml:"threshold" koanf:"threshold"`
	Actions       []string `yaml:"actions" koanf:"actions"`
	Rate          float64  `yaml:"rate" koanf:"rate"`
	MaxBurst      float64  `yaml:"max_burst" koanf:"max_burst"`
	SimulateDrops bool     `yaml:"simulate_drops" koanf:"simulate_drops"`
}

// DefaultConfig returns the defaults: threshold 0.1, log and alert, one
// action per 30 s with bursts of 10. (Falco's max_burst default is 1 since
// 0.28; saker keeps the older 10.)
func DefaultConfig() Config {
	return Config{Threshold: .1, Actions: []string{"log", "alert"}, Rate: .03333, MaxBurst: 10}
}

// Falco's configuration error messages.
var (
	errThreshold = errors.New("syscall event drops threshold must be a double in the range [0, 1]")
	errRate      = errors.New("syscall event drop rate should be a positive number")
	errMaxBurst  = errors.New("syscall event drop max burst should be a positive number")
	errActions   = errors.New(`available actions for syscall event drops are "ignore", "log", "alert", and "exit"`)
)

// Validate checks the section. The messages are Falco's.
func (c *Config) Validate() error {
	_, err := c.ParseActions()
	return err
}

// ParseActions validates the section and returns the actions in the order
// they are performed (ignore, log, alert, exit), without duplicates. An
// empty list means ignore.
func (c *Config) ParseActions() ([]Action, error) {
	if !(c.Threshold >= 0 && c.Threshold <= 1) {
		return nil, errThreshold
	}
	if !(c.Rate > 0) || math.IsInf(c.Rate, 0) {
		return nil, errRate
	}
	if !(c.MaxBurst > 0) || math.IsInf(c.MaxBurst, 0) {
		return nil, errMaxBurst
	}
	var set [NumActions]bool
	for _, name := range c.Actions {
		i := slices.Index(actionNames[:], name)
		if i < 0 {
			return nil, errActions
		}
		set[i] = true
	}
	for _, a := range []Action{ActionLog, ActionAlert} {
		if set[ActionIgnore] && set[a] {
			return nil, fmt.Errorf("syscall event drop action %q does not make sense with the \"ignore\" action", a.String())
		}
	}
	var out []Action
	for i, on := range set {
		if on {
			out = append(out, Action(i))
		}
	}
	if len(out) == 0 {
		out = []Action{ActionIgnore}
	}
	return out, nil
}

// TimeoutsConfig is the `syscall_event_timeouts` section.
type TimeoutsConfig struct {
	// MaxConsecutives is how many consecutive empty polls are tolerated
	// before the timeouts notification (Falco's default 1000).
	MaxConsecutives uint32 `yaml:"max_consecutives" koanf:"max_consecutives"`
}

// DefaultTimeoutsConfig returns Falco's default, 1000.
func DefaultTimeoutsConfig() TimeoutsConfig { return TimeoutsConfig{MaxConsecutives: 1000} }

// Validate checks the section.
func (c *TimeoutsConfig) Validate() error {
	if c.MaxConsecutives == 0 {
		return errors.New("syscall event timeout max consecutives should be a positive number")
	}
	return nil
}
