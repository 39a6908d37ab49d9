#!/usr/bin/env bash
# Proves golden/'s alerts and dashboards with the real promtool and
# Prometheus' parser (see doc.go). Called by `make monitoring`.
#
# Needs only Go and the Go module proxy. It builds promtool, once, into
# .cache/bin at the repository root (git-ignored), at the version
# tools/promtool/go.mod pins (github.com/prometheus/prometheus), and later
# runs reuse it. The catalog test downloads the exporters' modules into the
# module cache (go mod download) on its first run.
#
# Environment:
#   PROMTOOL                 use this promtool instead
#   DISCOURSEGEN_GOLDEN      judge this directory instead of golden/
#   DISCOURSE_PROMETHEUS_DIR a checkout of discourse-prometheus at the
#                            catalog's commit: also check the checked-in
#                            list of its names against the source
# Extra arguments are passed to go test (e.g. -run TestPromtool).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="$root/.cache/bin"
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

log() { printf 'monitoring: %s\n' "$*" >&2; }

if [[ -z "${PROMTOOL:-}" ]]; then
	version="$(cd "$here/tools/promtool" && go list -m -f '{{.Version}}' github.com/prometheus/prometheus)"
	PROMTOOL="$bin/promtool-$version"
	if [[ -x "$PROMTOOL" ]]; then
		log "using $(basename "$PROMTOOL") (cached in .cache/bin)"
	else
		mkdir -p "$bin"
		log "building promtool $version -> .cache/bin (first run only; about 4 minutes on 2 cores)"
		start=$SECONDS
		# Written to a temporary name first, so an interrupted build never
		# leaves a truncated binary that later runs would trust. The -X
		# gives it its version (a plain go build reports none).
		(cd "$here/tools/promtool" && go build -p 2 -trimpath \
			-ldflags="-s -w -X github.com/prometheus/common/version.Version=${version#v}" \
			-o "$PROMTOOL.tmp" github.com/prometheus/prometheus/cmd/promtool)
		mv "$PROMTOOL.tmp" "$PROMTOOL"
		log "built $(basename "$PROMTOOL") in $((SECONDS - start))s"
	fi
fi
export PROMTOOL
# go test runs in test/monitoring; keep relative paths relative to where
# the caller stands.
for v in DISCOURSEGEN_GOLDEN DISCOURSE_PROMETHEUS_DIR; do
	if [[ -n "${!v:-}" && "${!v}" != /* ]]; then
		export "$v=$PWD/${!v}"
	fi
done
cd "$here"
exec go test -count=1 ./... "$@"
