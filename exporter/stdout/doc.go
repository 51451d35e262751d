// Package stdout is the stdout_output: every alert as one line on standard
// output, Falco's text line or, with json_output, Falco's alert JSON.
//
// Lifecycle: New, then Send from the dispatcher's worker, then Close (which
// only flushes; stdout itself stays open). Lines are written whole, one
// write per alert, or one per batch with buffered_outputs — so lines never
// interleave with other writers mid-line as long as they also write whole
// lines. A closed or full stdout (a dead pipe) fails the alerts, which are
// counted as permanent_failure; saker keeps running.
package stdout
