// Package syslog is the syslog_output: each alert sent to the local syslog
// daemon with the alert's priority as the syslog severity.
//
// Falco's priorities are the syslog levels (Emergency 0 … Debug 7), so the
// severity is the priority number and PRI = facility×8 + priority. The
// message is framed as the C library's syslog(3) frames it for /dev/log:
//
//	<PRI>Mmm dd hh:mm:ss TAG[PID]: MESSAGE
//
// with the local time, and MESSAGE the alert line (text, or JSON with
// json_output), as Falco sends it. We write the framing ourselves instead of
// using log/syslog so the socket path is configurable (tests, containers
// with a mounted socket) and errors reach the dispatcher's counters.
//
// Lifecycle: the socket is dialled on first use (unixgram; if the socket is a
// stream socket, unix with a newline after each message). A failed write
// closes the connection, redials once and retries that message (the daemon
// may have restarted); if that fails too, the rest of the batch is failed
// and counted, and the next batch starts with a fresh dial. Messages larger
// than the daemon's datagram limit fail with EMSGSIZE and are counted.
package syslog
