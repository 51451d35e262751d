// Package program is the program_output: alerts written to the standard
// input of a program run through `sh -c`, as Falco's popen does.
//
// Without keep_alive the program is started for each alert, gets that one
// line on stdin, and is waited for; a non-zero exit status fails the alert
// (counted as permanent_failure), since e.g. `jq … | curl …` reports a
// failed upload that way. With keep_alive one process is started on first
// use and receives every alert as a line; if it has exited, the write fails
// with EPIPE and the process is started again and the line retried once.
//
// The program inherits saker's stdout and stderr and runs in its own
// process group, so that at shutdown (Close: stdin closed, then up to
// [CloseGrace] for it to exit) or on cancellation the whole pipeline can be
// killed, not just the shell. Writes honour cancellation: a program that
// stops reading cannot hold the worker past the shutdown deadline.
package program
