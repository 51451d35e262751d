# saker — see README.md. `make run` and `make test` work on a fresh machine:
# they install what they need (Go modules; Debian packages when root).

GO      ?= go
BIN     ?= bin/saker
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/sakersec/saker/config.Version=$(VERSION)
PKGS    ?= ./...
# Fuzz budget per target in `make fuzz`: CI runs 1000 inputs of each after
# its seed corpus; the acceptance run is FUZZTIME=60s. A count, not a time,
# for the short run: with 3s, a target whose cached corpus took most of the
# time to replay under load failed with "context deadline exceeded" (Go's
# fuzzing coordinator reports its own deadline as an error); a count sets
# no deadline.
FUZZTIME ?= 1000x

.PHONY: all build run test test-short bench generate lint fuzz deps clean

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/saker

# Live detection with the embedded default rules and config; alerts on stdout.
run: build
	./$(BIN) run

deps:
	hack/deps.sh

# Test binaries are built in parallel first; then packages run one at a
# time (-p 1), because several run real eBPF programs that count exact
# kernel events or flood the rings on purpose, and would disturb each
# other if they ran at once.
test: deps lint
	$(GO) test -count=1 -run '^$$' $(PKGS) >/dev/null
	$(GO) test -p 1 -count=1 -timeout 18m $(PKGS)
	$(MAKE) fuzz FUZZTIME=$(FUZZTIME)

test-short: lint
	$(GO) test -short -count=1 $(PKGS)

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m $(PKGS)

# Rebuilds generated code: the event table from the scap event table JSON and
# the BPF objects with bpf2go (needs clang; `hack/deps.sh` installs it).
generate:
	$(GO) generate ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fuzz:
	hack/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin
