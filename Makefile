# discoursegen: every target installs what it needs, pinned. Run `make help`.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Pinned tools. kustomize v5.8.3+ and kyaml v0.21.3+ need Go 1.27.
KUSTOMIZE_VERSION   := v5.8.2
STATICCHECK_VERSION := v0.7.0

BIN         := $(CURDIR)/bin
KUSTOMIZE   := $(BIN)/kustomize
STATICCHECK := $(BIN)/staticcheck
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

.PHONY: build
build: ## Build the CLI and the KRM function into ./bin.
	$(GO) build -o $(BIN)/ ./cmd/discoursegen ./cmd/discoursegen-fn

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
schemas: ## Regenerate schemas/ from the pinned modules in hack/sources.yaml.
	$(GO) run ./hack/schemagen
	$(GO) run ./hack/configschema

.PHONY: verify
verify: generate schemas ## Regenerate everything; fail on any diff, new files included.
	@if [ -n "$$(git status --porcelain -- golden schemas)" ]; then \
		echo "generated files are stale; commit the result of make generate schemas:"; \
		git status --porcelain -- golden schemas; exit 1; fi

.PHONY: fmt
fmt: ## Fail on unformatted Go files.
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# The separate Go modules of test/: each pins what its engine needs.
TEST_MODULES := test/e2e test/netpol test/behaviour

.PHONY: lint
lint: $(STATICCHECK) ## go vet and the pinned staticcheck, on every module.
	$(GO) vet ./...
	$(STATICCHECK) ./...
	@for m in $(TEST_MODULES); do echo "lint $$m"; (cd $$m && $(GO) vet ./... && $(STATICCHECK) ./...) || exit 1; done

.PHONY: unit
unit: tools build ## go test ./... (needs the built function and kustomize CLI).
	$(GO) test -count=1 ./...

.PHONY: e2e
e2e: ## A real etcd + kube-apiserver accepts every object of golden/.
	test/e2e/run.sh

.PHONY: netpol
netpol: ## cyclonus's policy engine judges golden/'s NetworkPolicies against a truth table.
	test/netpol/run.sh

.PHONY: behaviour
behaviour: ## Real PostgreSQL and Redis run the scripts and SQL of golden/ (installs them with apt-get).
	test/behaviour/run.sh

.PHONY: test
test: fmt lint unit netpol behaviour e2e ## The whole suite: fmt, vet, staticcheck, unit, policies, behaviour, e2e.

.PHONY: golden-update
golden-update: build ## Refresh the generator's testdata goldens (-update), then review the diff.
	$(GO) test ./generator/ ./functions/... -update

.PHONY: bench
bench: tools build ## Benchmarks: rendering, generate, validation.
	$(GO) test -run '^$$' -bench . -benchmem ./generator/ ./cmd/discoursegen/ ./schemas/
