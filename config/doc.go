// Package config is saker's configuration: the schema ([Config]), its
// defaults (the embedded saker.yaml, a commented file users copy), loading
// and validation.
//
// # Keys
//
// Keys are Falco's falco.yaml keys wherever Falco has the setting
// (rules_files, priority, rule_matching, json_output, stdout_output,
// http_output, webserver, metrics, syscall_event_drops, engine,
// base_syscalls, append_output, ...), so an existing falco.yaml and Falco's
// test configs load unchanged. saker's own keys sit beside them
// (otlp_output, sampling, hostname, engine.ebpf, metrics.otlp). Falco keys
// saker does not implement (grpc, plugins, engine.kmod, ...) load with a
// warning that says so.
//
// Sections owned by a component use that component's Config type and are
// validated by it; this package does not redefine them:
//
//	json_output, json_include_*, buffered_outputs, outputs, outputs_queue,
//	stdout_output, file_output, syslog_output, program_output,
//	http_output, otlp_output            exporter/outputs.Config (squashed)
//	webserver                           exporter/metrics.WebserverConfig
//	metrics.enabled, metrics.otlp       exporter/metrics.Config (squashed)
//	syscall_event_drops                 engine/drops.Config
//	syscall_event_timeouts              engine/drops.TimeoutsConfig
//	sampling                            engine/sampling.Config
//
// The rest (rules, priority, rule_matching, append_output, static_fields,
// engine, base_syscalls, falco_libs, logging, capture, Falco's metrics
// snapshot keys) is defined here until a component claims it.
//
// # Layers
//
// [Load] merges, from lowest to highest precedence:
//
//  1. the built-in defaults (saker.yaml, embedded);
//  2. the main file (-c), then the files and directories config_files
//     names (Falco's conf.d), each with a merge strategy (append, override,
//     add-only); config_files itself may be set by any layer;
//  3. FALCO_HOSTNAME (as hostname), then OTEL_EXPORTER_OTLP_* (for
//     otlp_output, applied by the exporter's own ApplyEnv), then the SAKER_
//     variables;
//  4. -o KEY=VALUE options and flags bound with [CommandLine], in
//     command-line order.
//
// Mappings merge key by key across layers; lists and scalars replace
// (except config_files with the append strategy, which appends lists). A
// null in a file leaves the value below it.
//
// Environment variables: SAKER_ + the key upper-cased, with "__" between
// nesting levels and "_" kept inside names — SAKER_PRIORITY=warning,
// SAKER_OTLP_OUTPUT__ENDPOINT=collector:4317,
// SAKER_ENGINE__REPLAY__CAPTURE_FILE=/tmp/x.scap,
// SAKER_SYSCALL_EVENT_DROPS__ACTIONS=log,alert. String keys take the text as
// it is, lists of scalars take a,b,c or [a, b], mappings take YAML. Falco's
// ${NAME} references in file values are expanded (and $${ escapes).
//
// -o follows Falco: KEY is a dotted path with [N] for an element and [] for
// a new element appended (-o rules[].disable.rule=*, -o
// 'append_output[]={extra_output: "pid=%proc.pid"}'); VALUE is YAML, except
// for string keys, which take the text as written (quotes around the whole
// value are removed).
//
// # Errors and warnings
//
// Every value remembers where it came from: FILE:LINE:COL for files
// (yaml.v3 nodes; koanf's own YAML parser drops positions, so saker parses
// with yaml.v3 and hands koanf the tree), the variable name, or the -o
// option. An [Error] lists every problem with that origin, the key, the
// value and what is allowed; messages are Falco's where Falco has one for
// the same check (priority, rule_matching, syscall_event_drops). Syntax
// errors carry the line yaml.v3 reports (it reports no column) and quote
// the line. Unknown keys are warnings ([Config.Warnings]), as in Falco, with
// a "did you mean" for near misses.
//
// # Lifecycle
//
// Load at start; the *Config is then read-only and shared. A rules reload
// (cmd/saker: SIGHUP, or watch_config_files) loads a new Config and applies
// its rules-related settings; the running one is not changed.
// [Config.Origin] lets a component that fails on a value at run time (a
// port in use, a file it cannot open) say where the value was set.
package config
