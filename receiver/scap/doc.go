// Package scap reads and writes scap capture files (.scap), the format of
// Falco's and sysdig's captures.
//
// # Format
//
// A capture is a sequence of pcapng-like blocks, usually gzip-compressed
// (the reader sniffs the 1f 8b magic; plain files work too):
//
//	u32 block_type | u32 total_length | body, zero-padded to 4 bytes | u32 total_length
//
// It starts with a section header block (SHB, magic 0x1A2B3C4D, version
// 1.0–1.2, optionally followed by pcapng options), then metadata blocks in
// any order — machine info (MI), process list (PL, versions V1–V9), one FD
// list per thread (FDL V1/V2), interface list (IL V1/V2) and user/group
// list (UL V1/V2) — and then event blocks until the end of the file. Event
// blocks are EV/EVF (u16 cpu [, u32 flags], then an event with the old
// 22-byte header that has no nparams), EV_V2/EVF_V2 (26-byte header, the
// layout of package event) and EV_V2_LARGE/EVF_V2_LARGE (the same, for
// types whose parameter lengths are u32). Old writers used ids of the form
// 0x80xxABCD for some of these; both are accepted. Unknown blocks are
// skipped. Everything is little-endian.
//
// # Lifecycle
//
// [NewReader] reads the header and every metadata block up to the first
// event block and returns them as plain records ([Metadata]: [Process],
// [FD], [User], [Group], [Interface], [MachineInfo]) that own their memory.
// [Reader.Next] then delivers events one by one as zero-copy [event.Event]
// views over one buffer the Reader reuses: an event is valid until the next
// call to Next. Decoding allocates nothing per event; EV v1 events are
// rewritten into the 26-byte layout in that same buffer. A gzip capture
// is inflated ahead by a goroutine of the Reader's own (inflating costs
// several times the decoding), which Close stops; a plain one is read
// with direct 256 KiB reads, or mapped ([Options.Map]: events are then
// views of the page cache, and [Reader.Guard] turns a file truncated
// under the reader into an error). Close every Reader (a dropped one's
// goroutine is stopped when the Reader is garbage collected).
//
// A [Pipeline] replays a capture on two goroutines: one of its own reads,
// frames and converts the events and hands them over in batches, the
// caller's takes them one by one ([Pipeline.Next], then Event/Original
// views valid until the next call) and runs state and rules on them. It
// delivers exactly what Next + Convert would (numbering, visibility,
// flags, offsets, errors), allocates nothing per event, holds a bounded
// number of batches, and Close stops its goroutine. Original events are
// not copied: batches keep the chunk buffers the Reader read them into
// until the consumer has passed them.
//
// Old captures have enter and exit events and old event versions. The
// [Converter] turns them into what a current driver would send — the exit
// event carrying the enter event's parameters, upgraded to the newest
// version of its type — while the original events stay available, because
// sysdig prints originals and Falco evaluates rules on enter events too.
//
// [Writer] writes what libscap's current dumper writes: SHB 1.2, MI,
// IL_V2, UL_V2, PL_V9, FDL_V2 and EV_V2/EVF_V2 (+_LARGE) blocks, gzip
// optional. sysdig and Falco read its files.
//
// # Sharp edges
//
//   - Every length read from the file is bounded before it is used to
//     allocate: a block may not exceed [MaxBlockSize], and blocks are read
//     into one growing buffer, so a corrupt length costs an error, not
//     memory. Errors carry the byte offset (in the uncompressed stream) of
//     the block or field at fault.
//   - Event numbers ([event.Event.Num]) follow sysdig's evt.num, which is
//     not simply the position in the file: internal meta events
//     (PPME_PROCINFO_E, ...) are numbered but never shown; container, user
//     and group events at the very start are numbered but consumed by
//     libsinsp while it opens the file; and sysdig 0.29's libscap skips
//     event types newer than its table (>= 336, e.g. PPME_USER_ADDED_E)
//     without numbering them. [Reader.Visibility] says which case an event
//     is; [NumberAll] numbers like current libs instead.
//   - The section header may carry pcapng options (Wireshark's editcap
//     adds comments). They are skipped. sysdig 0.29 cannot read such files
//     (it takes the first option for the next block and reports "expecting
//     4 bytes, read 0 ... Is the file truncated?"); the trace
//     curl_google_comments.scap is one.
//   - The V2 lists disagree on their entry lengths: PL V9, FDL V2 and UL V2
//     count the 4-byte length itself, IL V2 does not.
//   - PL V9 grew at its end over time. Writers before libs 0.10 (sysdig
//     0.29's among them) put loginuid, exe_writable and the capability sets
//     right after root (29 bytes); later ones put pidns_init_start_ts and
//     tty first. Readers tell them apart by the size of the remainder, and
//     the Writer writes the short form whenever the newer fields are all
//     zero, so that sysdig 0.29, which misreads the long form, reads its
//     files right.
//   - Old captures have enter/exit pairs and old event versions; see
//     [Converter]. It is separate from the Reader so the original events
//     stay available (sysdig prints them; state and rules want the
//     converted form).
package scap
