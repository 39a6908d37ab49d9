#!/usr/bin/env bash
# End-to-end check that a real kube-apiserver accepts everything discoursegen
# renders into golden/<env>/ (see doc.go for why). Called by `make e2e`.
#
# Needs only Go and the Go module proxy. It builds, once, into .cache/bin at
# the repository root (git-ignored):
#   kube-apiserver-<k8s.io/kubernetes version from test/e2e/go.mod>
#   etcd-<go.etcd.io/etcd/server/v3 version from test/e2e/tools/etcd/go.mod>
# and later runs reuse them. Then it runs the Go tests in test/e2e.
#
# etcd: an etcd already on PATH is used if it is at least 3.5.24, the oldest
# kubeadm accepts for Kubernetes 1.34. Debian's etcd-server package (3.4.23 in
# bookworm) is older than that, so it is not installed from apt; etcd is built
# from the module proxy instead, at the version Kubernetes 1.34 tests against.
#
# Environment:
#   E2E_KUBE_APISERVER, E2E_ETCD  use these binaries instead
#   E2E_TIMEOUT                   go test -timeout (default 20m)
#   DISCOURSEGEN_GOLDEN           judge this directory instead of golden/
#   E2E_KEEP_DIR=1                keep the scratch dir (logs, etcd data)
# Extra arguments are passed to go test (e.g. -run TestGolden).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf 'e2e: %s\n' "$*" >&2; }

# shellcheck source=lib.sh
source "$here/lib.sh"

# kube-apiserver, at the version test/e2e/go.mod pins. The -X flags give it
# its real version (a plain go build reports v0.0.0-master).
kube_version="$(cd "$here" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
minor="${kube_version#v1.}"
minor="${minor%%.*}"
v=k8s.io/component-base/version
apiserver="${E2E_KUBE_APISERVER:-$bin/kube-apiserver-$kube_version}"
if [[ -z "${E2E_KUBE_APISERVER:-}" ]]; then
	build "$apiserver" "$here" k8s.io/kubernetes/cmd/kube-apiserver \
		"-X $v.gitVersion=$kube_version -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
fi

# etcd_ok BIN: true if BIN is etcd >= 3.5.24.
etcd_ok() {
	local ver
	ver="$("$1" --version 2>/dev/null | sed -n 's/^etcd Version: \([0-9.]*\).*/\1/p')"
	[[ -n "$ver" ]] && [[ "$(printf '%s\n3.5.24\n' "$ver" | sort -V | head -n1)" == "3.5.24" ]]
}

etcd="${E2E_ETCD:-}"
if [[ -z "$etcd" ]]; then
	etcd_version="$(cd "$here/tools/etcd" && go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"
	etcd="$bin/etcd-$etcd_version"
	path_etcd="$(command -v etcd || true)"
	if [[ ! -x "$etcd" && -n "$path_etcd" ]] && etcd_ok "$path_etcd"; then
		etcd="$path_etcd"
		log "using etcd on PATH: $etcd"
	else
		if [[ ! -x "$etcd" && -n "$path_etcd" ]]; then
			log "etcd on PATH ($path_etcd) is older than 3.5.24"
		fi
		build "$etcd" "$here/tools/etcd" go.etcd.io/etcd/server/v3
	fi
fi

export E2E_KUBE_APISERVER="$apiserver" E2E_ETCD="$etcd"
# go test runs in test/e2e; keep a relative DISCOURSEGEN_GOLDEN relative to
# where the caller stands.
if [[ -n "${DISCOURSEGEN_GOLDEN:-}" && "$DISCOURSEGEN_GOLDEN" != /* ]]; then
	export DISCOURSEGEN_GOLDEN="$PWD/$DISCOURSEGEN_GOLDEN"
fi
cd "$here"
# test/e2e/rollout needs the simulation's binaries; rollout.sh runs it.
exec go test -count=1 -v -timeout "${E2E_TIMEOUT:-20m}" $(go list ./... | grep -v '/rollout$') "$@"
