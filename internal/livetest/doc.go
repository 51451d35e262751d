// Package livetest holds privileged end-to-end tests of live capture: a
// child process performs real system calls, the kernel programs of package
// bpf turn them into events, receiver/ebpf reads them, receiver/state keeps
// the thread/fd/user/container tables from them, and the Falco fields that
// rules read (engine/fields, engine/filter, engine/rules) are evaluated on
// each event at the moment it arrives — the chain `saker run` builds in
// cmd/saker. The package has no non-test code.
//
// # Why a package of its own
//
// receiver/ebpf's tests check the decoded parameters of every event, but
// receiver/ebpf may not import the engine (dependencies point one way:
// engine → receiver), so they cannot check what a rule sees: fd.name after
// a dup, fd.sip of a connect, proc.pname after an execve, container.id of
// a process in a container's cgroup. Tests that join the receiver and the
// engine live here, outside both.
//
// # What is tested
//
//   - one test per syscall family of the live-capture issue (files_test.go,
//     fds_test.go, net_test.go, process_test.go, ns_test.go,
//     creds_test.go, container_test.go): the decoded event (evt.type,
//     evt.res, evt.rawres, evt.rawarg.X) and the fields rules read on it
//     (fd.*, evt.is_open_*, evt.arg.X, proc.*, thread.*, user.*, group.*,
//     container.*), with values computed from what the child reports and
//     from the machine (its pid, paths, ports, users), plus compiled
//     conditions for what has no rendering (fd.net, fd.snet);
//   - stable_test.go: every event type the HEAD stable ruleset's
//     conditions reference is triggered from a child in a container-style
//     cgroup and must arrive live, of a type the rules are indexed under;
//     the ruleset is evaluated on those events and the rules the triggers
//     were written for must fire.
//
// # How the tests run
//
// TestMain loads the probe once for the whole binary with every supported
// syscall, then bootstraps the state as cmd/saker does — probe first, then
// /etc and /proc, so a process started in between is in the ring or in
// /proc — and one goroutine updates the state with every event of the
// machine. A test re-executes the test binary as a child running a named
// workload (helpers_test.go: raw system calls on the main thread, results
// printed as JSON), watches the child's pid and its descendants, and for
// each of their events renders a fixed list of fields plus evt.arg.X and
// evt.rawarg.X of every parameter, and evaluates the watch's conditions
// and rules. Fields are evaluated when the event is processed because
// later events change the state (a close removes the fd, a procexit the
// thread).
//
// # Running
//
// The tests need root and BPF. With CI=true a probe that cannot load (or a
// missing cgroup hierarchy) fails the tests; otherwise they are skipped.
// The upstream rules file is read relative to the package directory
// (../../../shared/research/falco/...). The package runs in about two
// seconds.
//
// # Sharp edges
//
//   - The probe sees the whole machine: other workloads share the ring
//     and the state goroutine. A test that misses an event reports the
//     kernel's drop counters, so a full ring is told apart from a missing
//     event.
//   - The test process is saker's own process to the probe, so it is not
//     traced: its threads and fds created after the bootstrap are unknown
//     to the state. The state reads such a parent from /proc at the
//     child's clone (as for any unknown thread), but fds a child inherits
//     from it (its standard streams) keep the names the bootstrap saw.
//     Tests therefore never rely on the child's start-up events, only on
//     what it does after the test watches it.
//   - A process's cgroups reach the state with its clone and execve
//     events, as in libs: a workload that moves into a cgroup executes
//     itself again to be seen inside.
//   - Cgroups are removed at cleanup, temporary files with t.TempDir,
//     namespaces die with the child; the triggers do nothing harmful (a
//     read-only open of /etc/shadow, a hard link from it that fails,
//     symlinks to it in a temporary directory).
package livetest
