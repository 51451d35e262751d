// Package rules holds saker's default ruleset: the rules `saker run` loads
// when no rules files are configured (or with rules_files: [builtin, ...]).
// They are written in the Falco rules language, by us, for behaviours worth
// an alert on any Linux host or Kubernetes node: tampering with system
// files, credential access, reverse shells and fileless execution, kernel
// and namespace operations used to escape containers, and attempts to blind
// saker itself. [Default] returns the embedded files in load order.
//
// # Tuning
//
// The rules are built from lists and macros so that operators change them
// with Falco's override (append/replace) instead of copying a rule: the
// *_binaries lists name the programs expected to do what a rule catches,
// and most rules end with a user_known_* macro that is false by default.
// Every rule restricts evt.type first, so it is indexed on a handful of
// syscalls and the kernel only sends those (plus the state-keeping set).
//
// # Sharp edges
//
//   - Order matters under rule_matching "first" (the default): an event
//     alerts once, for the first matching rule, so a specific rule
//     (ld.so.preload) comes before the general one (anything below /etc).
//   - proc.name is the kernel's comm, at most 15 characters: list
//     "systemd-modules", not "systemd-modules-load" (a test checks every
//     *_binaries list).
//   - Outputs name the process, file and connection, not the container
//     or pod: append_output's suggested_output (on by default) appends
//     container_id, container_name, the image and k8s_pod_name /
//     k8s_ns_name to every alert, as the current upstream rules rely on.
//   - Only fields saker's probe fills are used (not
//     proc.is_exe_upper_layer: the probe does not set the overlayfs
//     bits). Paths in evt.arg.* are the resolved, absolute ones.
//   - ftruncate/truncate, read/write and mmap are not captured, so the log
//     and history rules see truncation only through open(O_TRUNC).
//
// # Tests
//
// rules_test.go has one case per rule, and a test fails if a rule has none.
// Each case performs the behaviour for real on the test machine, as root,
// with saker's live pipeline attached (the eBPF probe, the state tracker
// bootstrapped from /proc, the engine with these rules, loaded once per
// test binary), and checks the alert's rule, priority, MITRE tags and key
// output fields; then it performs a near miss and checks that the rule
// stays quiet. Behaviours run in child processes (this test binary
// re-executed as a helper, or real programs such as cat, find, ln, sh)
// and alerts are routed to a test by the process tree that caused them.
// Dangerous behaviours are made safe, not simulated: files created in
// system directories are removed at once, /etc is replaced by a tmpfs in a
// private mount namespace before ld.so.preload is written, mining-pool
// connections stay inside a private network namespace, "in a container"
// is a throwaway cgroup with a Docker-style path, the module load is a
// garbage image the kernel refuses, and the "saker" that is signalled is
// a stand-in process of that name.
package rules
