// Package outputs turns saker's Falco-style output configuration into a
// running exporter.Dispatcher: it holds the top-level keys (json_output and
// the json_include_* switches, buffered_outputs, outputs.rate/max_burst,
// outputs_queue.capacity) and each output's section (stdout_output,
// file_output, syslog_output, program_output, http_output, otlp_output), and
// builds every enabled output with its queue.
//
// The config struct carries yaml and koanf tags with Falco's key names at
// the top level, so the config package can embed it with ",squash" and a
// falco.yaml's output keys load unchanged.
//
// Wiring, in the CLI:
//
//	cfg := outputs.Default()                 // then overlaid by file/env/flags
//	cfg.ApplyEnv(os.Getenv)                  // OTEL_EXPORTER_OTLP_* may enable otlp_output
//	cfg.Validate()                           // errors name the key
//	d, err := outputs.New(cfg, outputs.Settings{Version: v, OnHTTPTimeouts: raiseInternalAlert})
//	engine hands alerts to d.Enqueue
//	SIGHUP  → d.Reopen()
//	SIGTERM → stop the engine, then d.Close(ctx with the shutdown deadline)
//	metrics → d.Stats(buf) at scrape time
//
// time_format_iso_8601 is not here: the engine builds each alert's output
// line, prefix included.
package outputs
