#!/usr/bin/env bash
# Proves the NetworkPolicies in golden/<env>/ with cyclonus's policy engine
# (see doc.go for why). Called by the Makefile.
#
# Needs only Go and the Go module proxy (first run downloads cyclonus and its
# k8s.io modules into the module cache).
#
# Environment:
#   DISCOURSEGEN_GOLDEN  judge this directory instead of golden/
# Extra arguments are passed to go test (e.g. -v, -run TestNetworkPolicies/production).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
# go test runs in test/netpol; keep a relative DISCOURSEGEN_GOLDEN relative to
# where the caller stands.
if [[ -n "${DISCOURSEGEN_GOLDEN:-}" && "$DISCOURSEGEN_GOLDEN" != /* ]]; then
	export DISCOURSEGEN_GOLDEN="$PWD/$DISCOURSEGEN_GOLDEN"
fi
cd "$here"
exec go test -count=1 ./... "$@"
