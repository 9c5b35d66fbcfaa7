# nanoscout — the two set-up commands are `make demo` and `make test`.
# The toolchain the module proxy serves here with the security fixes (govulncheck clean).
export GOTOOLCHAIN := go1.27.3
GO       ?= go
BIN      := bin/nanoscout
PKGS     := ./...
# Packages whose concurrency is worth the race detector's time in CI.
RACE_PKGS := ./collectors/... ./pipeline/... ./config/... ./schedule/... ./metrics/...

.PHONY: all build demo test race vet fmt bench eval train clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/nanoscout

## demo: offline demo — simulator + embedded store + one pipeline run; prints the top 20 nano creators.
demo: build
	./$(BIN) demo --data-dir .demo

## test: vet, then every test (store conformance on SQLite and on an embedded FerretDB), then the race detector on the concurrent packages.
test: vet
	$(GO) test -count=1 $(PKGS)
	$(GO) test -count=1 -race $(RACE_PKGS)

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

## bench: the benchmarks behind the README's figures (store, API over 100k creators, politeness, classifiers, scoring, simulator memory).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./store/sqlite/ ./classify/ ./scoring/ | tee bench.out
	$(GO) test -run '^$$' -bench Politeness -benchtime 1x ./pipeline/ | tee -a bench.out
	$(GO) test -run '^$$' -bench MemoryFlat -benchtime 1x ./simulator/ | tee -a bench.out
	$(GO) test -run '^$$' -bench APIPage100k -timeout 30m ./server/ | tee -a bench.out

## eval: ranking vs the simulator's ground truth (2,000 creators per platform, faults on), then the two labelled datasets.
eval:
	$(GO) run ./cmd/nanoscout eval truth
	$(GO) run ./cmd/nanoscout eval comments --cv
	$(GO) run ./cmd/nanoscout eval accounts --cv

## train: rebuild the shipped classifier models (classify/models) from the data in classify/data; deterministic.
train:
	$(GO) run ./classify/cmd/train

clean:
	rm -rf bin .demo bench.out
