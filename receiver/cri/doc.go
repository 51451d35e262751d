// Package cri gives live containers their metadata: a client of the
// Container Runtime Interface (k8s.io/cri-api RuntimeService v1, gRPC over
// the runtime's unix socket — containerd, CRI-O, k3s) that resolves a
// container id met in a cgroup path to what Falco's CRI engine knew of it:
// name, image (repository, tag, digest, id), runtime type, privileged,
// host namespaces, mounts, IP, and its Kubernetes pod (name, namespace,
// UID, sandbox id, labels). Results are receiver/state Containers; the
// engine's container.* and k8s.* fields read them from the state.
//
// # Lifecycle
//
// [Dial] tries the configured sockets in order (under HOST_ROOT when
// saker runs in a container) and keeps the first that exists and answers
// Version; no runtime is not an error for saker, only fewer fields.
// [NewResolver] starts the lookup workers; [Resolver.Bootstrap] lists the
// sandboxes and containers that exist at start and resolves them, bounded
// in time, so their first events already have metadata; [Resolver.Close]
// stops the workers and closes the connection. When no runtime answers
// yet, [NewWaitingResolver] dials again every Options.RedialEvery, and
// when one answers it bootstraps and hands the listing to the event loop
// through the mailbox (below); until then Want asks nothing.
//
// # Lookups and the event loop
//
// The state is owned by the event-loop goroutine, which must never wait on
// the socket. For each event whose thread is in a container the state has
// no metadata for, the loop calls [Resolver.Want] (a map check; at most
// once per id per RetryAfter, which is also how long a negative answer is
// remembered). Want queues the id on a bounded channel read by a few
// workers, one lookup per id in flight; a full queue drops the id (counted)
// and it is asked again later. A lookup is ContainerStatus (verbose: the
// info JSON carries privileged, the namespace options and the OCI spec),
// then PodSandboxStatus of its sandbox (cached by sandbox id, so the
// containers of one pod cost one call); an id the runtime does not know as
// a container is tried as a sandbox (the pause container's cgroup names
// the sandbox). Every call has its own timeout. Outcomes are counted
// ([Stats]) and failures logged at debug level, at most once per 10 s.
//
// Results come back through a mailbox: a slice under a mutex plus an
// atomic flag. The loop checks the flag on each event ([Resolver.Pending],
// one atomic load) and, when set, [Resolver.Drain] hands the results to
// State.AddContainer on the loop's goroutine. A channel would work too,
// but the flag makes the common case (nothing new) a single load with no
// select, and draining takes every result at once under one lock.
//
// With Config.DisableAsync (Falco's --disable-cri-async) there are no
// workers: Want looks up on the loop's goroutine, bounded by the call
// timeout, so a container's first event already has its metadata — and
// every event waits while the runtime answers.
//
// # Mapping (Falco/libs semantics)
//
// container.name is the CRI metadata name; container.image the image as
// the status gives it (the spec the container was created with when the
// runtime only has an id); repository/tag/digest are split from it as libs
// splits it ([ParseImageRef]: the repository keeps the registry host); the
// digest falls back to the image ref's "@sha256:…"; the image id is the
// status's image id, else an image ref that is an id, without "sha256:".
// container.type is containerd, cri-o, or cri for other runtimes.
// Privileged and host namespaces come from containerd's CRI config in the
// info, CRI-O's "privileged" and the OCI spec's namespaces. Mounts are the
// status's (host path, container path, read-write, propagation private,
// rslave or rshared). The pod's fields come from its sandbox status; its
// IPv4 address is container.ip and k8s.pod.ip. A sandbox container has its
// pod's fields and no name, image or mounts, as in libs.
//
// # Sharp edges
//
//   - The first events of a container that starts after saker come before
//     its metadata (as in Falco without --disable-cri-async); the
//     bootstrap covers the containers that were there at start.
//   - Only the runtime found at start is asked; docker and podman
//     containers outside Kubernetes keep what the cgroup tells.
//   - container.id is 12 characters: the runtimes accept an unambiguous
//     prefix of an id.
package cri
