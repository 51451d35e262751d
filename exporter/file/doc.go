// Package file is the file_output: alert lines appended to a file.
//
// Lifecycle: New checks the config but opens nothing; the first Send opens
// the file (O_APPEND|O_CREATE, mode 0644 before umask). With keep_alive the
// file stays open between batches; without it, it is opened and closed for
// each batch (Falco reopens per alert; per batch is the same for rotation
// and far cheaper under bursts). Close closes it.
//
// Log rotation: logrotate renames the file and signals the process (SIGHUP,
// which the CLI turns into exporter.Dispatcher.Reopen). [Output.Reopen] only
// sets a flag, so it is safe from a signal handler's goroutine; the worker
// closes the old descriptor and opens the path anew before its next write,
// so no alert written after the signal lands in the renamed file. Without
// keep_alive no reopen is needed, but it is harmless.
//
// A failed open or write fails the batch (counted as permanent_failure by
// the dispatcher) and the next batch tries again from a fresh open.
package file
