// Package drops watches for lost events and acts on them, the way Falco's
// syscall event drop manager does, and keeps the counts every stage reports.
//
// # The drop manager
//
// A [Manager] is fed the timestamp of every event ([Manager.ProcessEvent],
// one compare on the hot path). Time is event time, not wall time, so a
// replayed capture behaves as it did live. The first event arms a check one
// second later; the first event past that instant runs the check:
//
//  1. read the kernel's cumulative counters ([Counters]) and take the
//     deltas since the previous check; the next check is one second after
//     this event;
//  2. with simulate_drops, add one drop to the delta (and the threshold is 0);
//  3. if the delta has drops and drops/events > threshold, that second is a
//     drop occurrence; if the token bucket (rate tokens per second, at most
//     max_burst, initially full, refilled in event time) has a token, the
//     configured actions run: ignore; log (an error-level log line, Falco's
//     text); alert (an internal [alert.Alert] — rule "Falco internal:
//     syscall event drop", priority Debug, Falco's output fields, all
//     strings — handed to the alert sink, i.e. every output); exit (logged,
//     then ProcessEvent returns [ErrExit] and the caller exits non-zero).
//
// At shutdown [Manager.WriteSummary] prints Falco's summary ("Syscall event
// drop monitoring: ... event drop detected: N occurrences ... num times
// actions taken: M"). Configuration errors are Falco's messages ([Config]).
//
// Differences from Falco, on purpose: the log action logs at error level
// (Falco logs at debug, so it is invisible at the default level); actions
// run in the fixed order ignore, log, alert, exit whatever their order in
// the config, so an alert is out before an exit; "ignore" combined with log
// or alert is rejected in either order; the token bucket starts at the first
// event's time instead of the wall clock (Falco's bucket, fed event times
// older than its wall-clock start, always refills to full during a replay).
//
// A capture has no kernel counters: replay passes no [Options.Counters] and
// every delta is zero, so only simulate_drops produces occurrences.
//
// # Timeouts
//
// A [TimeoutMonitor] counts consecutive empty polls of a live source and,
// past syscall_event_timeouts.max_consecutives, sends Falco's internal alert
// "Falco internal: timeouts notification".
//
// # Counts
//
// [EventCounters] are the pipeline's own counts (events received per source,
// decode errors, events processed). The event loop bumps them with plain
// increments and publishes them once per batch ([EventCounters.Flush]), so
// counting costs no atomic instruction per event; the metrics exporter reads
// the published values at scrape time. The manager's own counts
// (occurrences, actions by kind) are atomics, written once a second at most.
//
// A Manager and a TimeoutMonitor are used from the event loop goroutine;
// their counters may be read from any goroutine.
package drops
