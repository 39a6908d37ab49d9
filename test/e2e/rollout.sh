#!/usr/bin/env bash
# Rollout simulation tests (test/e2e/rollout): the real control plane, Flux's
# kustomize-controller and kwok on loopback (see internal/sim/doc.go).
#
# Builds, once, into .cache/bin at the repository root (git-ignored), each
# at the version its module pins, and reuses them afterwards:
#   kube-apiserver-<v>, etcd-<v>                 the same as test/e2e/run.sh
#   kube-controller-manager-<v>, kube-scheduler-<v>   tools/kubernetes
#   kwok-<v>                                     tools/kwok
#   kustomize-controller-<v>                     tools/kustomize-controller
# then runs `go test ./rollout/...` in test/e2e with their paths in
# E2E_KUBE_APISERVER, E2E_ETCD, SIM_KUBE_CONTROLLER_MANAGER,
# SIM_KUBE_SCHEDULER, SIM_KWOK and SIM_KUSTOMIZE_CONTROLLER.
#
# Environment:
#   any of the variables above   use that binary instead of building one
#   SIM_TIMEOUT                  go test -timeout (default 20m)
#   SIM_KEEP_DIR=1               keep each Sim's scratch dir (component logs)
# Extra arguments are passed to go test (e.g. -run TestSmoke).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf 'rollout: %s\n' "$*" >&2; }

# shellcheck source=lib.sh
source "$here/lib.sh"

# version DIR MODULE: the version of MODULE that the module in DIR requires.
version() { (cd "$1" && go list -m -f '{{.Version}}' "$2"); }

# kube-controller-manager, kube-scheduler and kube-apiserver share one
# version and the -X flags that give them their real version (a plain go
# build reports v0.0.0-master).
kube_version="$(version "$here/tools/kubernetes" k8s.io/kubernetes)"
minor="${kube_version#v1.}"
minor="${minor%%.*}"
v=k8s.io/component-base/version
kube_ldflags="-X $v.gitVersion=$kube_version -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean"

# kube-apiserver and etcd: the same files run.sh builds, so either script
# reuses what the other built. (The etcd-on-PATH shortcut of run.sh is left
# out: one pinned etcd is enough here.)
if [[ -z "${E2E_KUBE_APISERVER:-}" ]]; then
	if [[ "$(version "$here" k8s.io/kubernetes)" != "$kube_version" ]]; then
		log "k8s.io/kubernetes differs between test/e2e/go.mod and tools/kubernetes/go.mod"
		exit 1
	fi
	E2E_KUBE_APISERVER="$bin/kube-apiserver-$kube_version"
	build "$E2E_KUBE_APISERVER" "$here" k8s.io/kubernetes/cmd/kube-apiserver "$kube_ldflags"
fi
if [[ -z "${E2E_ETCD:-}" ]]; then
	E2E_ETCD="$bin/etcd-$(version "$here/tools/etcd" go.etcd.io/etcd/server/v3)"
	build "$E2E_ETCD" "$here/tools/etcd" go.etcd.io/etcd/server/v3
fi

if [[ -z "${SIM_KUBE_CONTROLLER_MANAGER:-}" ]]; then
	SIM_KUBE_CONTROLLER_MANAGER="$bin/kube-controller-manager-$kube_version"
	build "$SIM_KUBE_CONTROLLER_MANAGER" "$here/tools/kubernetes" k8s.io/kubernetes/cmd/kube-controller-manager "$kube_ldflags"
fi
if [[ -z "${SIM_KUBE_SCHEDULER:-}" ]]; then
	SIM_KUBE_SCHEDULER="$bin/kube-scheduler-$kube_version"
	build "$SIM_KUBE_SCHEDULER" "$here/tools/kubernetes" k8s.io/kubernetes/cmd/kube-scheduler "$kube_ldflags"
fi

if [[ -z "${SIM_KWOK:-}" ]]; then
	kwok_version="$(version "$here/tools/kwok" sigs.k8s.io/kwok)"
	SIM_KWOK="$bin/kwok-$kwok_version"
	# The -X flag is the one kwok's hack/releases.sh sets.
	build "$SIM_KWOK" "$here/tools/kwok" sigs.k8s.io/kwok/cmd/kwok "-X sigs.k8s.io/kwok/pkg/consts.Version=$kwok_version"
fi

if [[ -z "${SIM_KUSTOMIZE_CONTROLLER:-}" ]]; then
	kc_version="$(version "$here/tools/kustomize-controller" github.com/fluxcd/kustomize-controller)"
	SIM_KUSTOMIZE_CONTROLLER="$bin/kustomize-controller-$kc_version"
	build "$SIM_KUSTOMIZE_CONTROLLER" "$here/tools/kustomize-controller" github.com/fluxcd/kustomize-controller
fi

export E2E_KUBE_APISERVER E2E_ETCD SIM_KUBE_CONTROLLER_MANAGER SIM_KUBE_SCHEDULER SIM_KWOK SIM_KUSTOMIZE_CONTROLLER
cd "$here"
exec go test -count=1 -v -timeout "${SIM_TIMEOUT:-20m}" ./rollout/... "$@"
