// Package rules loads Falco rules files: YAML reading with positions,
// lists, macros and rules with exceptions, legacy append and override
// (append/replace), redefinition, visibility, textual list substitution,
// macro expansion, and compilation of every condition and output against
// the field registry. The result is a [Ruleset]: compiled rules indexed
// by the event types they can match, with the selection of enabled rules
// (enabled:, minimum priority, enable/disable by name glob or tag).
//
// # Lifecycle
//
//	l := rules.NewLoader(rules.Config{})
//	rs, ok := l.LoadFiles("falco_rules.yaml", "local.yaml")
//	for _, r := range l.Results() { ... r.Errors, r.Warnings ... }
//	rs.SetMinPriority(alert.PriorityWarning)
//	rs.Match(ctx, false, func(r *rules.Rule) { ... })
//
// As in Falco, the whole collection is compiled again after each file, so
// each file's result carries the errors its content causes (an append to a
// rule that no longer compiles fails the appending file). Loading a file
// stops at its first error.
//
// # Falco semantics kept on purpose
//
//   - Items are classified by the first key among required_engine_version,
//     required_plugin_versions, list, macro, rule; unknown items and keys
//     are warnings.
//   - Redefining an item keeps its position (index) and takes the new
//     body; defining, appending or replacing sets its visibility. A list
//     expands only lists compiled before it; a macro sees macros whose
//     index is below its visibility; rules see every macro.
//   - Lists are substituted into conditions as text (items joined with
//     ", ", items with a space quoted), before parsing — so a list name is
//     replaced wherever it stands delimited, not only after "in".
//   - Exceptions are compiled into the condition text exactly as Falco
//     builds it: "(cond) and not ((f1 c1 v1 and ...) or (...))".
//   - Errors and warnings carry Falco's codes, messages and a context of
//     locations (0-based line/column like yaml-cpp), and render as
//     `falco -V` JSON ([ValidationJSON]) or text ([FileResult.Text]).
//   - skip-if-unknown-filter downgrades unknown-field/event-type errors to
//     LOAD_UNKNOWN_FILTER warnings and drops the rule; more than 100 event
//     types gives LOAD_NO_EVTTYPE unless warn_evttypes is false.
//
// saker additions: LOAD_UNIMPLEMENTED_FIELD warns when a rule uses a field
// that is known but has no extractor yet (it reads as <NA>), and
// LOAD_REQUIRED_PLUGIN when rules require a plugin (saker loads none and
// serves the fields it implements itself).
//
// A Ruleset owns the compiled filters and formats, which are not safe for
// concurrent use: evaluate one Ruleset from one goroutine.
package rules
