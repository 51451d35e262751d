// Package childtest is the support code of saker's privileged live tests
// (receiver/ebpf, internal/livetest, rules): tests that load the real probe
// and make a child process perform real system calls, then check what the
// probe, the state or the rules made of them. It holds what the three
// suites do the same way; what each suite checks stays in the suite. Only
// _test.go files import it.
//
// # The child protocol
//
// A workload is a [Func] registered by name in a [Set]. The test binary
// re-executes itself ([Set.Command]) with the Set's environment variable
// naming the workload; [Set.Main], first thing in TestMain, sees the
// variable and runs the workload instead of the tests:
//
//  1. the child waits for a "go" line on its standard input, so the parent
//     can start watching its pid before it does anything ([Child.Go]);
//  2. the workload runs on the main thread with its arguments (the
//     command-line arguments, test flags dropped) and fills a result map;
//  3. the child prints the map as one line of JSON and exits with the
//     workload's status. Exit status 100 means the workload name is
//     unknown, 101 that standard input closed before the go line.
//
// On the parent's side [Start] runs the child, [Child.Finish] closes its
// standard input, checks its exit status and waits for the probe to report
// its exit, and [Child.Result] decodes what it printed.
//
// A workload that executes the test binary again as a second stage runs
// it with [Set.StageEnv]: the selection replaced (execve keeps both
// entries of a variable set twice, and the Go runtime reads the first)
// and the Set's no-wait variable set, so the second stage does not wait
// for a go line the first stage already read. A program a workload starts
// gets [Set.Environ], without the selection. A workload that refers to its
// Set (for either) is registered with [Set.Add] from an init function: the
// Set's initializer cannot refer to the Set.
//
// # Watching a process tree
//
// The probe sees the whole machine. A [Tree] keeps which threads belong to
// which watched child: a watch starts at the child's pid and grows as the
// clone events of its threads and processes arrive (the child's side of a
// clone can arrive before the parent's). Each suite embeds [Watch] in its
// own watcher type, where it keeps what it collects (raw events, rendered
// fields, alerts). [Loop] runs the probe's read loop on a goroutine of its
// own.
//
// # System calls
//
// Workloads make raw system calls ([Raw]) so that exactly those calls
// happen, nothing the Go runtime or a wrapper adds, and record each result
// with [Must] under a key the test reads back. The socket helpers
// ([Sockaddr4], [TCPPair], [LoopbackPair], ...) and the syscall families
// that receiver/ebpf and internal/livetest both check ([Meta],
// [KernelCalls], [DupCalls], [RootIDs], [MountChroot], [ExecMemfd], ...)
// are here because the suites need the same calls in the same order. What
// only one suite does, and the checks of what the probe made of the calls,
// stay in the suite.
//
// # Why this shape
//
// The package imports receiver/event but not receiver/ebpf: receiver/ebpf's
// own tests (package ebpf) import it, and an import of receiver/ebpf from
// here would be a cycle. [Loop] therefore takes the probe's Run method as
// a function value. It does not import internal/testenv either, whose
// collector and gRPC dependencies the three suites do not need; [SkipOrFail]
// is the same rule as testenv.Unavailable.
//
// # Sharp edges
//
//   - [NewSet] must run while the package initializes (a package-level var):
//     in a child it locks the main goroutine to the main thread, which only
//     works during initialization. Every workload syscall then carries
//     tid == pid, and per-thread state (namespaces, credentials, the
//     controlling terminal) is where the next call and exec happen.
//   - A workload runs in a process that has the test binary's runtime: code
//     after a raw fork in the child must not allocate or call into the
//     runtime (use unix.RawSyscall there, not [Raw]).
//   - [Raw] is marked go:uintptrescapes: a pointer converted to uintptr in
//     its argument list is moved to the heap and kept alive for the call.
//     A pointer converted earlier and stored in a variable is not.
//   - [Tree] is not safe for concurrent use: each suite guards it, and the
//     data it collects, with its own mutex.
package childtest
