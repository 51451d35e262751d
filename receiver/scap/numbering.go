package scap

import "github.com/sakersec/saker/receiver/event"

// Numbering selects how [Reader.Next] numbers events (event.Event.Num).
type Numbering uint8

const (
	// NumberLikeSysdig numbers events as sysdig 0.29 (saker's decoding
	// oracle) does: event types its table does not have (type >=
	// [Sysdig029MaxType], e.g. PPME_USER_ADDED_E written by newer libs)
	// are skipped by its libscap and get no number; they are still
	// delivered, with Num 0.
	NumberLikeSysdig Numbering = iota
	// NumberAll numbers every delivered event, as current libs does.
	NumberAll
)

// Sysdig029MaxType is PPM_EVENT_MAX of the libs in sysdig 0.29 (its last
// events are clone3 = 334/335).
const Sysdig029MaxType event.Type = 336

// Visibility says whether sysdig would show an event to filters and
// outputs, and if not, why. saker's replay printer and the counting tests
// use it; state tracking consumes every event regardless.
type Visibility uint8

const (
	// Visible events are printed by `sysdig -r` and seen by Falco rules.
	Visible Visibility = iota
	// HiddenInternal events have the EC_INTERNAL category (PPME_PROCINFO_E,
	// PPME_SCAPEVENT_E, PPME_CONTAINER_E, ...): numbered, never printed.
	HiddenInternal
	// HiddenInitialState events are the container/user/group events at
	// the very start of a capture: libsinsp consumes them while opening
	// the file (consume_initialstate_events), so they are numbered but not
	// returned to the application. The same events later in the capture
	// are visible.
	HiddenInitialState
	// HiddenUnknownType events have a type sysdig 0.29 does not know
	// (>= Sysdig029MaxType); with NumberLikeSysdig they have Num 0.
	HiddenUnknownType
)

// String names the visibility for test output.
func (v Visibility) String() string {
	switch v {
	case Visible:
		return "visible"
	case HiddenInternal:
		return "internal"
	case HiddenInitialState:
		return "initial-state"
	case HiddenUnknownType:
		return "unknown-to-sysdig-0.29"
	}
	return "visibility?"
}

// initialStateType reports whether libsinsp consumes events of type t
// found at the start of a capture as initial state.
func initialStateType(t event.Type) bool {
	switch t {
	case event.ContainerE, event.ContainerJsonE, event.ContainerJsonV2E,
		event.UserAddedE, event.UserDeletedE, event.GroupAddedE, event.GroupDeletedE,
		event.AsynceventE:
		return true
	}
	return false
}
