// Package alert defines what a rule match becomes: the [Alert] handed from the
// engine to every exporter, its [Priority] scale, and its JSON form.
//
// An Alert is built once by the engine, off the event loop's hot path, and is
// then read-only: exporters share the same value and must not modify it. Its
// JSON encoding is Falco's alert JSON (keys sorted, output fields typed), so any
// tool that reads Falco alerts — falcosidekick, jq scripts, SIEM parsers — reads
// saker's unchanged.
package alert
