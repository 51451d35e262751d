// Package eventprint renders events as sysdig prints them by default, one
// line per event:
//
//	%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info
//
// e.g. "141 16:17:57.881785348 0 cat (20072) < open fd=3(<f>/etc/ld.so.cache)
// name=/etc/ld.so.cache flags=4097(O_RDONLY|O_CLOEXEC) mode=0 " — the
// time of day in the printer's time zone (sysdig uses the local one) with
// nanoseconds, "<NA>" for the name of a thread the state does not know,
// and evt.info ending in a space after each parameter, as sysdig's does.
// It is what `saker replay FILE.scap --print-events` writes; the
// differential test in internal/sysdigdiff holds it to `sysdig -r FILE`.
//
// # Lifecycle
//
// Feed every event to the state first (receiver/state.State.Update with
// the converted event, see receiver/scap.Converter), then print the
// original event — sysdig prints events as they are in the file, with fd
// and thread names read from the state that event produced:
//
//	p := eventprint.New(os.Stdout, time.Local)
//	for each event orig (and its converted form conv) of the capture:
//		st.Update(conv)
//		if reader.Visibility() == scap.Visible {
//			p.Print(orig, st)
//		}
//	p.Flush()
//
// Print writes through a buffer (flush it at the end); it allocates
// nothing per event. A Printer is not safe for concurrent use.
//
// # Sharp edges
//
//   - sysdig 0.29 shows container-metadata events (PPME_CONTAINER_JSON_E)
//     as coming from a made-up thread named "container:<id>" with tid -1;
//     the printer renders them the same way.
//   - Buffer parameters (I/O data, execve args and env, cgroups) print at
//     most fields.MaxBufferText bytes, then "...".
package eventprint
