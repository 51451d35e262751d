// Command saker is the command line of saker, the runtime security
// detector.
//
//	saker run                      live detection (eBPF), alerts on the configured outputs
//	saker replay FILE.scap         evaluate the rules on a capture (--print-events: sysdig-style lines)
//	saker record -w FILE.scap      write a capture of live events, readable by sysdig and saker
//	saker rules validate FILE...   validate rules files (Falco's -V)
//	saker rules list               list the loaded rules (Falco's -L)
//	saker rules expand             print each rule's condition with macros and lists expanded
//	saker fields                   list every supported field (Falco's --list)
//	saker version
//
// It also accepts Falco's command line, so scripts written for Falco drive
// saker unchanged: `saker -r RULES -e CAPTURE`, `-c CONFIG`, `-o KEY=VALUE`,
// `-A`, `-t/-T/-D`, `-V RULES`, `-L`, `-l RULE`, `--list`, `-i`, `--support`,
// `-M SECS`, `-U`, `-p FORMAT`, `--stats-file`, `--stats-interval`. Without
// -e, -V, -L, --list, -i or --support, the Falco form runs live detection.
//
// The command is wiring only: configuration comes from package config, the
// event sources from receiver/*, rules from engine/*, outputs from
// exporter/*. The event loop (source → state → drop monitor → sampling →
// rules → outputs) is the one place where they meet; see pipeline.go.
package main
