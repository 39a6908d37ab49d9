# discoursegen: every target installs what it needs, pinned. Run `make help`.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Pinned tools. kustomize v5.8.3+ and kyaml v0.21.3+ need Go 1.27.
KUSTOMIZE_VERSION   := v5.8.2
STATICCHECK_VERSION := v0.7.0
CONTROLLER_GEN_VERSION := v0.19.0
ACTIONLINT_VERSION  := v1.7.12
# make bench's validate peer (docs/bench.md).
KUBECONFORM_VERSION := v0.8.0
# How long each fuzz target runs in make test; make fuzz runs them longer.
FUZZTIME ?= 10s

BIN         := $(CURDIR)/bin
KUSTOMIZE   := $(BIN)/kustomize
STATICCHECK := $(BIN)/staticcheck
CONTROLLER_GEN := $(BIN)/controller-gen
ACTIONLINT  := $(BIN)/actionlint
KUBECONFORM := $(BIN)/kubeconform
GO          ?= go
export GOFLAGS ?= -buildvcs=false
export GOTOOLCHAIN := local

.PHONY: help
help: ## List the targets.
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: tools
tools: $(KUSTOMIZE) $(STATICCHECK) ## Install the pinned kustomize CLI and linter into ./bin.

$(KUSTOMIZE):
	GOBIN=$(BIN) $(GO) install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

$(STATICCHECK):
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(CONTROLLER_GEN):
	GOBIN=$(BIN) $(GO) install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_GEN_VERSION)

$(ACTIONLINT):
	GOBIN=$(BIN) $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

$(KUBECONFORM):
	GOBIN=$(BIN) $(GO) install github.com/yannh/kubeconform/cmd/kubeconform@$(KUBECONFORM_VERSION)

.PHONY: build
build: ## Build discoursegen (the CLI and, as `discoursegen fn`, the KRM function) into ./bin.
	$(GO) build -o $(BIN)/ ./cmd/discoursegen

.PHONY: generate
generate: build ## Render every environment in clusters/ into golden/.
	$(BIN)/discoursegen generate

.PHONY: render
render: tools build ## Render one environment with the kustomize CLI: make render ENV=production.
	@test -n "$(ENV)" || { echo "usage: make render ENV=local|staging|production"; exit 2; }
	@# kustomize prints nothing and exits 0 when exec functions are skipped;
	@# an empty render must never pass for a valid one.
	@out="$$($(KUSTOMIZE) build --enable-alpha-plugins --enable-exec clusters/$(ENV))"; \
		if [ -z "$$out" ]; then echo "kustomize produced no objects for clusters/$(ENV)" >&2; exit 1; fi; \
		printf '%s\n' "$$out"

.PHONY: schemas
schemas: api ## Regenerate schemas/ from the pinned modules in hack/sources.yaml and the config types, then compile them.
	$(GO) run ./hack/schemagen
	$(GO) run ./hack/configschema
	$(GO) run ./hack/schemacompile

.PHONY: api
api: $(CONTROLLER_GEN) ## Regenerate the config API's DeepCopy (zz_generated.deepcopy.go).
	$(CONTROLLER_GEN) object paths=./api/...

.PHONY: verify
verify: generate schemas ## Regenerate everything; fail on any diff, new files included.
	@if [ -n "$$(git status --porcelain -- golden schemas api)" ]; then \
		echo "generated files are stale; commit the result of make generate schemas:"; \
		git status --porcelain -- golden schemas api; exit 1; fi

.PHONY: fmt
fmt: ## Fail on unformatted Go files.
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# The separate Go modules of test/: each pins what its engine needs.
TEST_MODULES := test/e2e test/netpol test/behaviour test/flux test/monitoring

.PHONY: lint
lint: $(STATICCHECK) $(ACTIONLINT) ## go vet and the pinned staticcheck, on every module; actionlint on .github/workflows.
	$(GO) vet ./...
	$(STATICCHECK) ./...
	$(ACTIONLINT)
	@for m in $(TEST_MODULES); do echo "lint $$m"; (cd $$m && $(GO) vet ./... && $(STATICCHECK) ./...) || exit 1; done

.PHONY: unit
unit: tools build ## go test ./... (needs the built function and kustomize CLI).
	$(GO) test -count=1 ./...

.PHONY: e2e
e2e: ## A real etcd + kube-apiserver accepts every object of golden/.
	test/e2e/run.sh

.PHONY: rollout
rollout: build ## The real kustomize-controller rolls golden/production out on kwok nodes: install, upgrade, rollback, a failing migration.
	test/e2e/rollout.sh

.PHONY: netpol
netpol: ## cyclonus's policy engine judges golden/'s NetworkPolicies against a truth table.
	test/netpol/run.sh

.PHONY: flux
flux: ## Flux's own kustomize build (fluxcd/pkg/kustomize) yields every committed stage; .sourceignore keeps clusters/ out.
	test/flux/run.sh

.PHONY: monitoring
monitoring: ## The real promtool fires and quiets every alert of golden/; every metric is in its exporter's source (docs/monitoring.md).
	test/monitoring/run.sh

.PHONY: behaviour
behaviour: ## Real PostgreSQL and Redis run the scripts and SQL of golden/ (installs them with apt-get).
	test/behaviour/run.sh

.PHONY: precommit
precommit: ## The real pre-commit runs our hooks: a config change regenerates golden/, a stale golden/ fails the check.
	test/precommit/run.sh

# Every fuzz target, as package:target. Each seed corpus is checked in
# under the package's testdata/fuzz/<target>/.
FUZZ_TARGETS := \
	./functions/discourse/:FuzzRender \
	./functions/discourse/:FuzzRenderPassesPolicy \
	./functions/discourse/:FuzzRenderIsIdempotent \
	./generator/:FuzzRenderWithoutSchema \
	./policy/:FuzzCheck \
	./internal/jsonyaml/:FuzzMarshalMatchesYAML \
	./schemas/:FuzzEngineMatchesLibrary \
	./schemas/:FuzzFastDecodeMatchesYAML

.PHONY: fuzz
# A run that fails with only "context deadline exceeded" and writes no
# failing input found nothing: Go's fuzzing coordinator can report its own
# -fuzztime deadline as an error (a race in internal/fuzz.CoordinateFuzzing,
# likeliest while it minimizes a new input as time runs out). Any other
# failure, and any failing input, fails make fuzz.
fuzz: ## Run each fuzz target for FUZZTIME (10s in make test; make fuzz FUZZTIME=5m for longer).
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		out=$$($(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg 2>&1) && { printf '%s\n' "$$out" | tail -n 2; continue; }; \
		printf '%s\n' "$$out"; \
		if printf '%s\n' "$$out" | grep -q '^    context deadline exceeded$$' && ! printf '%s\n' "$$out" | grep -q 'Failing input written to'; then \
			echo "fuzz $$name: the coordinator's own deadline, no failing input: not a finding"; continue; fi; \
		exit 1; done

.PHONY: test
test: fmt lint unit fuzz netpol flux monitoring behaviour precommit e2e rollout ## The whole suite: fmt, vet, staticcheck, actionlint, unit, fuzz, policies, Flux build, alerts, behaviour, pre-commit hooks, e2e, the rollout simulation.

.PHONY: golden-update
golden-update: build ## Refresh the generator's testdata goldens (-update), then review the diff.
	$(GO) test ./generator/ ./functions/... -update

# make bench: first the Go benchmarks (-benchmem) of every package of this
# module that has one (render, encode, validate, policy), then hack/bench's
# table of whole processes beside their peers (docs/bench.md).
#   make bench FLEETS=10,100                    fleet sizes (default 10,100,1000)
#   make bench BENCH_FLAGS='-runs 3 -rows fn'   any flag of hack/bench
#   make bench GOBENCH=none                     skip the Go benchmarks
GOBENCH     ?= .
FLEETS      ?=
BENCH_FLAGS ?=
BENCH_PACKAGES = $(shell git grep --untracked -l '^func Benchmark' -- '*_test.go' ':!test/' | xargs -r -n1 dirname | sort -u | sed 's|^|./|; s|$$|/|')

.PHONY: bench
bench: tools build $(KUBECONFORM) ## Go benchmarks (-benchmem), then the table of whole processes against peers (docs/bench.md).
	$(if $(filter none,$(GOBENCH)),,$(GO) test -run '^$$' -bench '$(GOBENCH)' -benchmem $(BENCH_PACKAGES))
	$(GO) run ./hack/bench -kubeconform $(KUBECONFORM)$(if $(FLEETS), -fleets $(FLEETS))$(if $(BENCH_FLAGS), $(BENCH_FLAGS))
