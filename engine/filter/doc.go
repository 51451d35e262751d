// Package filter compiles parsed conditions (engine/condition) into
// evaluators and computes the event types a condition can match.
//
// # Evaluators: closures
//
// Each node becomes a Go closure (func(*fields.Ctx) bool): and/or nodes
// loop over (or, for two children, directly call) their children with
// short-circuit; a check closes over its bound extractor, a Value it owns,
// and a predicate specialised at compile time for the operator and the
// field's type (string equality, a precomputed lower-case needle for
// icontains, a compiled regexp, a hash set for in-lists above 8 items and
// a linear scan below, CIDR prefixes for network fields). There is no
// per-event type switch and no allocation. Closures were chosen over a
// bytecode interpreter because the work per check is dominated by field
// extraction and string comparison, not dispatch: an indirect call per
// node costs about as much as a bytecode dispatch, and closures let each
// predicate be a specialised function. No bytecode interpreter was built
// to compare against; what was measured (BenchmarkEval* in engine/rules,
// same run): one indexed rule costs ~23 ns per event, the HEAD rulesets
// (stable+incubating+sandbox, 22–38 rules indexed per event type) ~1.1–1.5
// µs on a no-match event without process state, 0 allocations.
//
// Constants are parsed at compile time by the left field's type, and type
// rules follow libs' flt_is_comparable: misuse is a compile *Error with
// libs' wording ("'contains' operator not supported for numeric filters",
// "unknown event type x", "filter_check called with nonexistent field x").
//
// # Missing values
//
// If the left field cannot be extracted, the check is false — for != too —
// so "not fd.name = x" is true on events without an fd. A val() right side
// that cannot be extracted also makes the check false.
//
// # Multi-valued fields
//
// List fields (fields.Many: fd.types) take in (every value in the set) and
// intersects (some value in the set). "Any" fields (proc.aname without an
// index) hold if the check holds for some value, != included ("some
// ancestor is not bash"), as libs' compare_full_aname. "Either" fields (the
// two ends of a connection: fd.ip, fd.net, fd.port) do the same except for
// !=, which holds when no end equals the value: libs compares them with
// dedicated code (compare_ip, compare_net, compare_port) where
// "fd.ip != X" is "not fd.ip = X" for inet fds.
//
// # Event types
//
// [EventTypes] is libs' ppm_event_codes analysis with negation handled by
// De Morgan: the engine indexes rules by it, so a rule runs only on event
// types its condition can match.
//
// A compiled Filter and its closures are not safe for concurrent use: each
// owns the Values it extracts into. Compile one per event loop.
package filter
