// Package sampling decides which events the engine skips when the host is
// too busy to look at all of them, and adapts how many it skips.
//
// # The sampler
//
// A [Sampler] holds the sampling ratio R (1, 2, 4, ... 128, set from
// outside: the operator or the [Controller]) and the sampling multiplier M
// (a float >= 0). [Sampler.ShouldDrop] is called by the engine for every
// event after state tracking has seen it and before rule matching:
//
//	M == 0 or R == 1        → keep (the default: R 1, M 0)
//	event keeps state       → keep (see [KeepsState])
//	otherwise               → drop when U[0,1) >= 1/(R×M)
//
// so with M = 1 the engine keeps a random 1/R of what reached it, on top of
// what the kernel's time window already dropped. The rule is Falco's
// should_drop_evt; the draw is a PCG generator owned by the sampler, so a
// fixed seed gives a reproducible sequence in tests. The draw is compared as
// an integer against a threshold precomputed when R or M change, so the hot
// path is one atomic load, one table lookup, one PRNG step and a compare; it
// allocates nothing. Dropped events are counted with a plain increment and
// published every 64 drops and at [Sampler.Flush] ([Sampler.Dropped]).
//
// ShouldDrop is called from one goroutine (the event loop); the setters and
// readers are safe from any goroutine.
//
// # The never-drop set
//
// [KeepsState] is true for the events that keep the thread/fd/user tables
// right (clone, fork, execve, close, dup, open, socket, connect, setuid,
// procexit, ...). It is derived from the generated event table: the types
// flagged EF_MODIFIES_STATE, minus the data-transfer calls send*/recv*,
// which libs flags because a UDP send can reveal a socket's peer but which
// are the bulk of network load; never dropping them would leave sampling
// nothing to shed under a network flood. Only syscall events are ever
// dropped: tracepoint and meta events (procexit, drop-enter/exit, container
// events) are always kept. The kernel side (receiver/ebpf) must never drop
// the same set; [NeverDropSyscalls] lists it by syscall name for that.
//
// # Replay
//
// In a capture, a change of the kernel ratio is recorded as a drop-enter or
// drop-exit event (PPME_DROP_E/X, parameter "ratio"). With
// [Sampler.FollowDropEvents] on (replay), ShouldDrop sets R from those
// events, so the engine samples a replayed capture as it did live.
//
// # The controller
//
// A [Controller] is the adaptive mode: every interval it reads the ring
// buffer's fill ratio and the kernel's cumulative drop count (a
// [PressureFunc]), doubles R (up to the maximum) when a second had drops or
// the fill is at or above the high watermark, and halves it (down to the
// configured ratio) after a calm period with no drops and the fill at or
// below the low watermark. Between the watermarks it holds R and restarts the
// calm period: that band, and a calm period that doubles each time a decrease
// is followed at once by pressure, keep R from flapping. Each change is
// applied to the kernel first and then to the engine ([RatioSetter]), logged
// and counted. The policy is [Controller.Step] with the time passed in, so it
// is unit-tested with a fake clock; [Controller.Run] drives it with a ticker.
package sampling
