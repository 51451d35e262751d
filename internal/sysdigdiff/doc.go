// Package sysdigdiff holds saker's differential tests against sysdig 0.29
// (Debian's sysdig, libs of its era), the oracle for how Falco's libraries
// decode, render and filter events, and the helpers they share: the list
// of shared traces, running sysdig, and replaying a capture the way saker
// replays one (state loaded from the capture's metadata, every event
// converted by receiver/scap's Converter and applied to receiver/state
// before anything reads it).
//
// The tests:
//
//   - TestPrintEventsMatchesSysdig: `saker replay --print-events` lines
//     (engine/eventprint) against `sysdig -r FILE`, column by column, with
//     a reviewed list of accepted evt.info difference kinds and reasons.
//   - TestFiltersMatchSysdig: hundreds of filter expressions compiled with
//     engine/filter against the field registry, evaluated on every event
//     of every trace with state, against `sysdig -r FILE -p %evt.num
//     FILTER`; operators and transformers sysdig 0.29 lacks are checked
//     against expectations written here instead.
//   - TestContainerMetadataFieldsMatchSysdig and TestBoundUDPSocket: the
//     container.* metadata fields and a bound UDP socket's renames, on
//     captures the tests write (the shared traces have no container
//     mounts or probes, and no bound UDP server), against sysdig's -p.
//   - Benchmarks: decode + state throughput and rule-engine throughput on
//     a large capture, each next to sysdig on the same file in the same
//     run.
//
// sysdig is required when CI=true (the tests fail without it) and
// skipped otherwise. Times are compared in UTC (sysdig runs with TZ=UTC).
//
// sysdig 0.29 cannot open captures whose section header carries pcapng
// options (curl_google_comments.scap); the tests only check that saker
// reads those.
package sysdigdiff
