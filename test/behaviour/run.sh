#!/usr/bin/env bash
# Behaviour tests: the scripts and SQL discoursegen renders into
# golden/<env>/ must do their job against a real PostgreSQL and a real Redis
# on loopback (see doc.go for what is checked and why). Called by the
# Makefile.
#
# Needs root (PostgreSQL runs as an unprivileged uid; scripts run in a
# private mount namespace) and Debian (bookworm) packages, which it installs
# only when missing:
#   postgresql    the server, initdb, pg_isready and psql (PostgreSQL 15)
#   redis-server  stands in for Valkey (redis-server, redis-cli)
#   ruby          stands in for the Discourse image's Ruby (the Sidekiq probe)
# The packages' own services are not used: every test starts its own
# servers on free 127.0.0.1 ports and stops them. While installing, a
# temporary policy-rc.d keeps the packages from starting those services.
#
# Environment:
#   DISCOURSEGEN_GOLDEN  judge this directory instead of golden/
#   BEHAVIOUR_TIMEOUT    go test -timeout (default 10m)
# Extra arguments are passed to go test (e.g. -run TestInitContainers).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf 'behaviour: %s\n' "$*" >&2; }

missing=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
[[ -x /usr/bin/redis-server && -x /usr/bin/redis-cli ]] || missing+=(redis-server)
[[ -x /usr/bin/ruby ]] || missing+=(ruby)
for tool in unshare setpriv mount; do
	command -v "$tool" >/dev/null || { log "$tool (util-linux) is missing"; exit 1; }
done

if ((${#missing[@]})); then
	if [[ $EUID -ne 0 ]]; then
		log "missing packages ${missing[*]}, and installing them needs root"
		exit 1
	fi
	log "installing ${missing[*]}"
	# policy-rc.d exit status 101 tells invoke-rc.d not to start services;
	# only put one there if there is none, and remove only ours.
	policy=/usr/sbin/policy-rc.d
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		trap 'rm -f "$policy"' EXIT
	fi
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
	rm -f "$policy"
	trap - EXIT
fi

if [[ $EUID -ne 0 ]]; then
	log "the tests need root (setpriv, mount namespaces); run as root, as CI does"
	exit 1
fi

export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}"
# go test runs in test/behaviour; keep a relative DISCOURSEGEN_GOLDEN
# relative to where the caller stands.
if [[ -n "${DISCOURSEGEN_GOLDEN:-}" && "$DISCOURSEGEN_GOLDEN" != /* ]]; then
	export DISCOURSEGEN_GOLDEN="$PWD/$DISCOURSEGEN_GOLDEN"
fi
cd "$here"
exec go test -count=1 -v -timeout "${BEHAVIOUR_TIMEOUT:-10m}" ./... "$@"
