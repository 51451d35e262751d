#!/usr/bin/env bash
# Installs what saker's tests and benchmarks need when it is missing:
# Go modules, and (when root) Debian packages — sysdig 0.29 as the capture
# decoding oracle, prometheus as a real scrape server, containerd and runc as
# the real CRI runtime of the container metadata tests, clang/llvm/bpftool
# for `make generate`.
set -euo pipefail
cd "$(dirname "$0")/.."

go mod download

need=()
command -v sysdig >/dev/null 2>&1 || need+=(sysdig)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v containerd >/dev/null 2>&1 || need+=(containerd)
command -v runc >/dev/null 2>&1 || need+=(runc)
command -v clang >/dev/null 2>&1 || need+=(clang llvm)
command -v bpftool >/dev/null 2>&1 || need+=(bpftool)
[ -f /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "hack/deps.sh: installing ${need[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq || true
		# sysdig pulls a DKMS module that cannot build for this kernel; that
		# failure is harmless, the userspace reader is what we use.
		apt-get install -y -qq "${need[@]}" >/tmp/saker-apt.log 2>&1 || {
			command -v sysdig >/dev/null && command -v prometheus >/dev/null || { tail -20 /tmp/saker-apt.log; exit 1; }
		}
	else
		echo "hack/deps.sh: not root, cannot install ${need[*]}; tests that need them will fail under CI=true" >&2
	fi
fi

# The real OpenTelemetry Collector the end-to-end tests run (built once per
# machine from Go modules with the collector builder, cached under
# ~/.cache/saker; a no-op when the cache is warm).
go run ./internal/testenv/buildcollector
