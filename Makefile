# nanoscout — the two set-up commands are `make demo` and `make test`.
# The toolchain the module proxy serves here with the security fixes (govulncheck clean).
export GOTOOLCHAIN := go1.27.3
GO       ?= go
BIN      := bin/nanoscout
PKGS     := ./...
# Packages whose concurrency is worth the race detector's time in CI.
RACE_PKGS := ./collectors/... ./pipeline/... ./config/... ./schedule/... ./metrics/...

.PHONY: all help build demo test test-short race vet lint tidy-check vulncheck fmt bench eval train clean

# Pinned tool versions: lint and vulncheck run from the module proxy, nothing else is fetched.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOVULNCHECK := golang.org/x/vuln/cmd/govulncheck@v1.9.0
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018
VULNDB_DIR := .vulndb/$(VULNDB_VERSION)

all: build

## help: list the targets and what each is for.
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## //' -e 's/: /\t/' | awk -F'\t' '{printf "  %-12s %s\n", $$1, $$2}'

## build: the nanoscout binary in bin/.
build:
	$(GO) build -o $(BIN) ./cmd/nanoscout

## demo: offline demo — simulator + embedded store + one pipeline run; prints the top 20 nano creators.
demo: build
	./$(BIN) demo --data-dir .demo

## test: vet, then every test (store conformance on SQLite and on an embedded FerretDB), then the race detector on the concurrent packages.
test: vet
	$(GO) test -count=1 $(PKGS)
	$(GO) test -count=1 -race $(RACE_PKGS)

## test-short: the quick tests only (go test -short): skips the slow end-to-end and FerretDB-heavy cases.
test-short:
	$(GO) test -short -count=1 $(PKGS)

## lint: staticcheck over the whole module (unused code, bugs, simplifications).
lint:
	$(GO) run $(STATICCHECK) $(PKGS)

## tidy-check: fails when go mod tidy would change go.mod or go.sum.
tidy-check:
	$(GO) mod tidy -diff

## vulncheck: govulncheck offline, against a local database built from the golang.org/x/vulndb module (pinned).
vulncheck: $(VULNDB_DIR)/index/db.json
	$(GO) run $(GOVULNCHECK) -db file://$(CURDIR)/$(VULNDB_DIR) $(PKGS)

$(VULNDB_DIR)/index/db.json:
	$(GO) mod download golang.org/x/vulndb@$(VULNDB_VERSION)
	rm -rf $(VULNDB_DIR) && mkdir -p $(dir $(VULNDB_DIR))
	cd /tmp && $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) \
		-vulns $$($(GO) env GOMODCACHE)/golang.org/x/vulndb@$(VULNDB_VERSION)/data/osv -out $(CURDIR)/$(VULNDB_DIR)

## vet: gofmt check and go vet.
vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

## fmt: gofmt the tree.
fmt:
	gofmt -w $$(git ls-files '*.go')

# The API benchmarks' store: its size, and where it is kept between runs
# (empty: a temp dir, seeded each run).
BENCH_CREATORS ?= 1000000
BENCH_DIR ?=

## bench: the benchmarks behind the README's figures (store, API over $(BENCH_CREATORS) creators with 20 concurrent clients, politeness, classifiers, scoring, simulator memory).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./store/sqlite/ ./classify/ ./scoring/ | tee bench.out
	$(GO) test -run '^$$' -bench Politeness -benchtime 1x ./pipeline/ | tee -a bench.out
	$(GO) test -run '^$$' -bench MemoryFlat -benchtime 1x ./simulator/ | tee -a bench.out
	NANOSCOUT_BENCH_CREATORS=$(BENCH_CREATORS) NANOSCOUT_BENCH_DIR=$(BENCH_DIR) $(GO) test -run '^$$' -bench 'APIPage|APIConcurrent' -timeout 60m ./server/ | tee -a bench.out

## eval: ranking and audience quality vs the simulator's ground truth (2,000 creators per platform, faults on, 3 fault seeds, the worst run reported), then the two labelled datasets.
eval:
	$(GO) run ./cmd/nanoscout eval truth
	$(GO) run ./cmd/nanoscout eval stream --creators 2000 --window 24h
	$(GO) run ./cmd/nanoscout eval comments --cv
	$(GO) run ./cmd/nanoscout eval accounts --cv

## train: rebuild the shipped classifier models (classify/models) from the data in classify/data; deterministic.
train:
	$(GO) run ./classify/cmd/train

## clean: remove build output, demo data and the local vulnerability database.
clean:
	rm -rf bin .demo bench.out .vulndb
