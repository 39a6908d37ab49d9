#!/usr/bin/env bash
# Proves with Flux's own code (fluxcd/pkg/kustomize, fluxcd/pkg/sourceignore)
# that Flux applies exactly the objects committed under golden/, and that
# .sourceignore keeps clusters/ out of what Flux reads (see doc.go for why).
# Called by the Makefile.
#
# Needs only Go and the Go module proxy (the first run downloads the Flux
# packages and their k8s.io modules into the module cache). Every module is
# in the checksum database, so no GONOSUMDB is needed.
#
# Environment:
#   DISCOURSEGEN_GOLDEN  judge this directory instead of golden/ (the rest of
#                        the repository, .sourceignore included, stays as is)
# Extra arguments are passed to go test (e.g. -v, -run TestSourceIgnore).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
# go test runs in test/flux; keep a relative DISCOURSEGEN_GOLDEN relative to
# where the caller stands.
if [[ -n "${DISCOURSEGEN_GOLDEN:-}" && "$DISCOURSEGEN_GOLDEN" != /* ]]; then
	export DISCOURSEGEN_GOLDEN="$PWD/$DISCOURSEGEN_GOLDEN"
fi
cd "$here"
exec go test -count=1 ./... "$@"
