#!/usr/bin/env bash
# The real pre-commit runs our hooks. Called by `make precommit`.
#
# Proves, with Debian's pre-commit (3.0.4 on bookworm) and no network:
#   1. .pre-commit-config.yaml (this repository's own local hooks)
#      - passes on a clean copy of the repository;
#      - a changed image tag in clusters/staging/site/release.yaml fails the
#        run because make generate rewrote golden/staging, and nothing but
#        golden/staging changed (golden/production and golden/local did not);
#      - a second run passes;
#      - a real `git commit` through the installed hook is refused until the
#        regenerated golden/ is staged with it;
#      - gofmt rewrites an unformatted Go file and fails the run.
#   2. .pre-commit-hooks.yaml (the hooks other repositories use), through
#      `pre-commit try-repo` from a second "consumer" repository:
#      - discoursegen-check passes on a current golden/, and fails with the
#        stale-file listing, changing nothing, when a tag changed without
#        regenerating;
#      - the hooks are skipped for commits that touch neither clusters/ nor
#        golden/, and run for a staged clusters/ change;
#      - discoursegen-generate regenerates golden/staging (and only it), and
#        the check passes afterwards.
#
# Both repositories are copies of this one: its tracked files plus the
# untracked ones git does not ignore, so uncommitted work is tested too.
# Each copy builds its own bin/discoursegen with `make build` (the Go module
# and build caches are shared; nothing is downloaded when they are warm).
#
# Installs Debian's pre-commit with apt-get only when it is missing (as
# root, or through sudo). Touches nothing outside one temporary directory:
# pre-commit's cache (PRE_COMMIT_HOME) and git's configuration are
# isolated, and the directory is removed on exit, failure included.
#
# Environment:
#   PRECOMMIT_KEEP=1  keep the temporary directory and print its path
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
started=$SECONDS

log() { printf 'precommit: %s\n' "$*" >&2; }
fail() {
	printf '\nprecommit: FAIL: %s\n' "$*" >&2
	exit 1
}

# --- pre-commit itself -------------------------------------------------------

if ! command -v pre-commit >/dev/null; then
	sudo=()
	if [[ $EUID -ne 0 ]]; then
		command -v sudo >/dev/null || fail "pre-commit is missing, and installing it needs root or sudo"
		sudo=(sudo)
	fi
	log "installing Debian's pre-commit"
	"${sudo[@]}" apt-get update
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends pre-commit
fi
log "using $(pre-commit --version) from $(command -v pre-commit)"

# --- isolation -----------------------------------------------------------------

work="$(mktemp -d "${TMPDIR:-/tmp}/discoursegen-precommit.XXXXXX")"
cleanup() {
	if [[ ${PRECOMMIT_KEEP:-} == 1 ]]; then
		log "kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
# bash runs the EXIT trap on exit, not on every signal: turn them into exits.
trap 'exit 130' INT
trap 'exit 143' TERM

# pre-commit's cache of hook environments lives here, not in ~/.cache.
export PRE_COMMIT_HOME="$work/pre-commit-home"
# Neither the user's nor the system's git configuration applies (no signing,
# no hooksPath, no templates); identity comes from the environment.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=precommit-test GIT_AUTHOR_EMAIL=precommit-test@example.invalid
export GIT_COMMITTER_NAME=precommit-test GIT_COMMITTER_EMAIL=precommit-test@example.invalid
# Run from inside a git hook, these would point every git command here at
# the caller's repository; SKIP would silently skip our hooks.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_PREFIX SKIP
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}"
export NO_COLOR=1

# --- helpers -------------------------------------------------------------------

# copy_repo DST: this repository's tracked files (skipping ones deleted in
# the work tree) and its untracked, unignored files, into a new git
# repository at DST with one commit, and bin/discoursegen built there.
copy_repo() {
	local dst=$1
	mkdir -p "$dst"
	git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
		fail "$root is not a git work tree: cannot tell which files to copy"
	git -C "$root" ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			if [[ -e $root/$f || -L $root/$f ]]; then printf '%s\0' "$f"; fi
		done |
		tar -C "$root" --null -T - -cf - | tar -C "$dst" -xf -
	git -C "$dst" -c init.defaultBranch=main init -q
	log "building bin/discoursegen in $(basename "$dst")"
	make -C "$dst" --no-print-directory build >"$work/build.log" 2>&1 ||
		{ cat "$work/build.log" >&2; fail "make build failed in the copy of the repository"; }
	git -C "$dst" add -A
	git -C "$dst" commit -q -m "copy of the repository under test"
}

# expect pass|fail WHAT CMD...: run CMD, show its output indented, and fail
# the script unless it exited 0 (pass) or non-zero (fail). The output stays
# in $out for expect_output.
out="$work/out.log"
expect() {
	local want=$1 what=$2 rc=0
	shift 2
	log "check: $what"
	"$@" >"$out" 2>&1 || rc=$?
	sed 's/^/    | /' "$out" >&2
	case $want in
	pass) ((rc == 0)) || fail "$what: expected success, got exit code $rc (output above)" ;;
	fail) ((rc != 0)) || fail "$what: expected a failure, but it exited 0 (output above)" ;;
	esac
}

# expect_output REGEX WHY: the last expect's output matches REGEX.
expect_output() {
	grep -Eq -- "$1" "$out" || fail "$2: the output above has no line matching /$1/"
}

# expect_changed REPO PATH...: exactly these paths (directories cover their
# files) differ from the last commit, new files included.
expect_changed() {
	local repo=$1 changed
	shift
	changed="$(git -C "$repo" status --porcelain --untracked-files=all)"
	local line path p ok
	while IFS= read -r line; do
		[[ -n $line ]] || continue
		path=${line:3}
		ok=0
		for p in "$@"; do
			if [[ $path == "$p" || $path == "$p"/* ]]; then ok=1; fi
		done
		((ok)) || fail "$path changed, but only ${*:-nothing} should have:"$'\n'"$changed"
	done <<<"$changed"
	for p in "$@"; do
		[[ -n "$(git -C "$repo" status --porcelain --untracked-files=all -- "$p")" ]] ||
			fail "$p should differ from the last commit, but does not"
	done
	log "ok: changed from the commit: ${*:-nothing}"
}

# set_staging_tag REPO TAG: the edit a release makes (discoursegen pin
# would do the same): spec.image.tag of staging's release.yaml.
set_staging_tag() {
	local file=$1/clusters/staging/site/release.yaml
	[[ -f $file ]] || fail "$file is missing: the test needs staging's release pin"
	sed -i -E "s/^(    tag: ).*/\\1$2/" "$file"
	grep -q "^    tag: $2\$" "$file" || fail "could not set spec.image.tag in $file (is the indentation still 4 spaces?)"
	log "set spec.image.tag: $2 in clusters/staging/site/release.yaml"
}

# --- 1. this repository's .pre-commit-config.yaml ------------------------------

log "1. local hooks (.pre-commit-config.yaml) in a copy of the repository"
repo="$work/repo"
copy_repo "$repo"
cd "$repo"
[[ -f .pre-commit-config.yaml ]] || fail ".pre-commit-config.yaml is missing"

expect pass "the local hooks pass on a clean copy (if this fails, golden/ or gofmt is stale in your work tree)" \
	pre-commit run --all-files --color never
expect_output '^render golden/.*Passed$' "make generate ran and passed"
expect_changed "$repo"

tag=v0.0.0-precommit
set_staging_tag "$repo" "$tag"
expect fail "a new staging tag: make generate rewrites golden/ and fails the run" \
	pre-commit run --all-files --color never
expect_output '^render golden/.*Failed$' "the make generate hook failed"
expect_output 'files were modified by this hook' "pre-commit failed the run because files changed"
expect_changed "$repo" clusters/staging/site/release.yaml golden/staging
grep -rqF "$tag" golden/staging || fail "golden/staging does not carry the new tag $tag"
log "ok: golden/staging carries $tag; golden/production and golden/local are unchanged"

expect pass "a second run passes: golden/ is current" \
	pre-commit run --all-files --color never

# The way a user meets the hook: git commit through the installed hook,
# which runs on the staged files only.
git reset -q --hard HEAD
pre-commit install >/dev/null
set_staging_tag "$repo" "$tag"
git add clusters/staging/site/release.yaml
expect fail "git commit of the tag alone is refused by the installed hook" \
	git commit -m "staging: $tag"
expect_output 'files were modified by this hook' "the hook refused the commit because it regenerated golden/"
git add -A
expect pass "git commit succeeds once golden/ is staged with it" \
	git commit -m "staging: $tag"
expect_changed "$repo"
pre-commit uninstall >/dev/null

gofile="$(git ls-files 'hack/*.go' | head -n 1)"
[[ -n $gofile ]] || fail "no Go file under hack/ to unformat"
printf '\n\n\n' >>"$gofile" # gofmt removes trailing blank lines
expect fail "gofmt rewrites an unformatted Go file ($gofile) and fails the run" \
	pre-commit run gofmt --all-files --color never
expect_output 'files were modified by this hook' "the gofmt hook rewrote the file"
expect_changed "$repo"

# --- 2. .pre-commit-hooks.yaml, as another repository uses it --------------------

log "2. remote hooks (.pre-commit-hooks.yaml) with pre-commit try-repo from a consumer repository"
hooks="$repo"
[[ -f $hooks/.pre-commit-hooks.yaml ]] || fail ".pre-commit-hooks.yaml is missing"
consumer="$work/consumer"
copy_repo "$consumer"
cd "$consumer"
# The consumer gets its hooks only from the hook repository.
git rm -q --ignore-unmatch .pre-commit-config.yaml .pre-commit-hooks.yaml
git commit -q --allow-empty -m "a consumer: no hooks of its own"

expect pass "discoursegen-check passes on a current golden/" \
	pre-commit try-repo "$hooks" discoursegen-check --all-files --color never
expect_output '^golden/ is up to date.*Passed$' "discoursegen-check ran and passed"

tag=v0.0.0-stale
set_staging_tag "$consumer" "$tag"
expect fail "discoursegen-check fails when a tag changed without regenerating" \
	pre-commit try-repo "$hooks" discoursegen-check --all-files --color never
expect_output 'golden is stale' "the check says golden/ is stale"
expect_output '^ +golden/staging/' "the check lists the stale files of golden/staging"
if grep -Eq '^ +golden/(production|local)/' "$out"; then
	fail "the check lists files of other environments; only staging changed"
fi
expect_changed "$consumer" clusters/staging/site/release.yaml

# files: the hooks run only for commits that touch clusters/ or golden/.
echo "a change outside clusters/ and golden/" >>README.md
git add README.md
expect pass "discoursegen-check is skipped when no staged file is under clusters/ or golden/" \
	pre-commit try-repo "$hooks" discoursegen-check --color never
expect_output '^golden/ is up to date.*Skipped$' "the hook was skipped, not run"
git add clusters/staging/site/release.yaml
expect fail "discoursegen-check runs, and fails, for a staged clusters/ change" \
	pre-commit try-repo "$hooks" discoursegen-check --color never
expect_output 'golden is stale' "the check ran on the staged change"
git reset -q HEAD README.md clusters/staging/site/release.yaml
git checkout -q -- README.md

expect fail "discoursegen-generate regenerates golden/ (and fails the run, files changed)" \
	pre-commit try-repo "$hooks" discoursegen-generate --all-files --color never
expect_output 'files were modified by this hook' "pre-commit failed the run because golden/ changed"
expect_changed "$consumer" clusters/staging/site/release.yaml golden/staging
grep -rqF "$tag" golden/staging || fail "golden/staging does not carry the new tag $tag"

expect pass "discoursegen-check passes after discoursegen-generate" \
	pre-commit try-repo "$hooks" discoursegen-check --all-files --color never

log "all checks passed in $((SECONDS - started))s"
