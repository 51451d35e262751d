// Package fields is the field registry: every field a condition or an
// output can name (evt.type, proc.name, fd.name, ...), its type and flags,
// and the extractors that read it from an event and the state.
//
// # Model
//
// A [Field] is registered once, by name, with a [Type] (libs' PT_* type,
// shared with event parameters), [Flags] (list-valued, argument rules,
// no-val(), no-transformer, deprecated, ...), a one-line description and a
// [BindFunc]. Binding happens at load time, once per occurrence of the
// field in a rule: [Registry.Bind] resolves the written name and argument
// ("proc.aname[2]", "evt.arg.flags" = evt.arg with argument "flags") and
// returns a [Bound] holding an [Extractor] plus the value type and [Shape].
// The compiler (engine/filter) and the output formatter call the extractor
// per event.
//
// # Registering a field and writing an extractor
//
//	func init() {
//		fields.Register(fields.Field{
//			Name: "proc.name", Type: event.PTCharbuf,
//			Desc: "process name (task comm)",
//			Bind: fields.Simple(func(c *fields.Ctx, v *fields.Value) bool {
//				th := c.Thread        // state view set by the engine
//				if th == nil {
//					return false      // not available: check false, output <NA>
//				}
//				v.S = th.Comm         // a view, no copy
//				return true
//			}),
//		})
//	}
//
// Fields with arguments use a BindFunc that parses the [Arg] once and
// returns a closure specialised for it; a field that builds a string (a
// command line, a formatted time) keeps its own []byte in that closure,
// rewrites it on every call and returns a view of it, so steady state
// allocates nothing. Lists go to v.Strs / v.Nums / v.IPs, reusing the
// slices (v.Strs = append(v.Strs[:0], ...)).
//
// Every libsinsp field (libs HEAD and fields that only libs 0.20 had:
// container.*, k8s.*) is pre-registered by name, type and flags from
// shared/research/falco/libs_fields.json (known_gen.go, `go generate`), so
// rules that use them type-check and load. Until an implementation
// registers a Bind for such a field, it binds to an extractor that always
// reports "not available" — a check on it is false and an output shows
// <NA>; nothing evaluates silently wrong. [Registry.Unimplemented] lists
// them; the engine warns when a loaded rule uses one. Registering the
// implementation is a second Register call with the same name and type
// (either order).
//
// # Sharing costly extractions
//
// Many rules read the same fields on the same event (HEAD rules read
// proc.cmdline dozens of times on an execve). A field flagged [Memoize] is
// bound once per ruleset through a [Session] (the rules loader uses one per
// compile) and wrapped by [Memo]: it runs once per event (per Ctx.Reset)
// and every other rule and the output formatter copy its value. Flag the
// fields whose extraction builds strings or walks the process tree; cheap
// pointer reads are faster unshared.
//
// # Ctx and lifetimes
//
// [Ctx] carries the event and the state (Ctx.State, receiver/state): the
// proc.*, thread.*, fd.*, user.*, group.* and container.* extractors read
// the event's thread and fd from it, with libs' semantics (ancestors from
// the main thread, "<NA>" names for unknown users, libs' guesses for an
// unknown fd; see statefields.go and fd.go). Whoever feeds events calls
// State.Update(e) before evaluating e. Fields that need a container
// runtime (container.image*, .privileged, .mounts) or Kubernetes metadata
// (k8s.ns.name, k8s.pod.*) read the state's container table, filled from
// the capture's container events on replay and by the CRI client
// (receiver/cri) live; without it they are not available (container.go,
// k8s.go). The fd.*ip.name fields compare with names a
// [NameResolver] resolves off the event path (dnsnames.go).
// The engine reuses one Ctx for every event; extractors only read
// it. A [Value] returned by an extractor is valid until the same extractor
// runs again or the event's buffer is released, whichever comes first:
// callers that keep a value (alert formatting) copy it. A bound extractor
// is not safe for concurrent use — one engine evaluates on one goroutine.
//
// # Value representation (and why)
//
// [Value] is a small struct with one slot per kind — U (all integers,
// bools, times), F, S (strings and buffers, zero-copy), IP (netip.Addr, no
// allocation) and slices for multi-valued shapes — rather than an
// interface, so extraction writes into caller-owned memory and never
// boxes. The type is known statically from the binding, so comparisons are
// specialised at compile time instead of switching per event.
//
// # Sharp edges
//
//   - evt.arg.X is libs' get_param_as_str: the resolved form of the
//     parameter when it has one (flags by name through receiver/event's
//     flag tables "O_RDONLY|O_CLOEXEC", errno results by name, an fd as
//     "<f>/etc/passwd", a uid by user name, a duration as "1s"), else the
//     value as evt.args renders it (mmap's res=7FAD48782000); buffers
//     keep their full length (sysdig cuts them to 80 bytes unless -v,
//     Falco does not). evt.args and evt.info render "name=value " pairs
//     as sysdig does ("fd=3(<f>/etc/passwd) flags=4097(O_RDONLY|O_CLOEXEC) "),
//     naming fds, threads and users from Ctx.State (argstr.go).
//   - evt.time* fields are strings for comparisons but carry the raw
//     timestamp for output_fields (Binding.JSON), as Falco's JSON does.
package fields
