// Package event is saker's one event format: the scap event layout of
// Falco/sysdig capture files, and the table that gives it meaning.
//
// Every event — written by the kernel programs in bpf/, read from a .scap
// capture, or built by a test — is the same bytes:
//
//	u64 ts | u64 tid | u32 len | u16 type | u32 nparams   (26-byte header)
//	nparams × u16 parameter lengths (u32 for EF_LARGE_PAYLOAD types)
//	parameter values back to back, no alignment
//
// and is decoded by one decoder, [Event]. Event is a view: it indexes the
// parameters once in [Event.Reset] and reads them in place, so decoding
// allocates nothing and strings alias the event buffer. The consequence is
// the package's one sharp edge: a view (and every string or slice it returns)
// is valid only while its buffer is. Live events end when the consumer
// callback returns; copy what you keep.
//
// The table of all 454 event types ([Type.Info]: name, direction, category,
// flags, parameters with their PT_* types and print formats) is generated
// by `go generate` from libs' event table extracted to
// shared/research/falco/scap_event_table.json (internal/gentable), and the
// x86_64 syscall numbers from the kernel's asm/unistd_64.h
// (internal/gensyscalls). Neither is edited by hand. Several versions of an
// event share a name (EXECVE_8_X … EXECVE_19_X): libs only ever appends
// parameters, so a newer reader reads an older event by index and treats
// missing trailing parameters as absent. [TypesByName] gives every type of a
// name, which is what `evt.type = execve` in a rule means.
//
// [Builder] writes the layout; tests and converters use it to make events.
package event
