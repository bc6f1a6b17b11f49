# rampart: make test (the README's test command), make lint, make fuzz, make bench, make eval.
GO      ?= go
PKGS    ?= ./...
FUZZTIME ?= 5s

.PHONY: build test lint fuzz bench eval demo tools

build:
	$(GO) build -o bin/rampart ./cmd/rampart

## test: every test with the race detector. PostgreSQL/Redis tests run when
## RAMPART_TEST_POSTGRES / RAMPART_TEST_REDIS are set and skip otherwise.
test:
	$(GO) test -race -count=1 $(PKGS)

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)
	$(GO) run github.com/securego/gosec/v2/cmd/gosec@v2.30.0 -quiet -exclude-dir=internal/demo $(PKGS)

## fuzz: each fuzz target for FUZZTIME. Minimising a new input is capped
## (-fuzzminimizetime). Go's fuzzer sometimes reports "context deadline
## exceeded" when FUZZTIME ends while a worker is busy, with no failing
## input; only that case is retried once. A real failure (a failing input
## written to testdata/fuzz) fails at once.
fuzz:
	@set -e; out=$$(mktemp); trap 'rm -f $$out' EXIT; \
	for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; \
	    for try in 1 2; do \
	      if $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 100x $$pkg >$$out 2>&1; then \
	        tail -n 1 $$out; break; \
	      fi; \
	      cat $$out; \
	      if [ $$try = 1 ] && grep -q 'context deadline exceeded' $$out && ! grep -q 'Failing input written' $$out; then \
	        echo "fuzz: $$f stopped on the fuzzer's own deadline, not on a failing input; running it again"; \
	      else \
	        exit 1; \
	      fi; \
	    done; \
	  done; \
	done

## bench: Go benchmarks plus the wrk comparisons: proxies side by side, then
## the WAF off, native and CRS (see docs/benchmarks.md).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./internal/... | tee bench-go.txt
	bash bench/run.sh
	bash bench/waf.sh

## eval: replay the labeled data sets (../shared/datasets and
## internal/waf/testdata) through the native and CRS engines, in process and
## through a running gateway; prints detection and false-positive tables.
EVALFLAGS ?= -mode both
eval:
	$(GO) run ./internal/waf/eval $(EVALFLAGS)

demo:
	$(GO) run ./cmd/rampart demo
