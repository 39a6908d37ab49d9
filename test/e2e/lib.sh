# Shared by run.sh and rollout.sh: where binaries are cached and how they
# are built. The caller sets `here` (test/e2e) and defines log.

root="$(cd "$here/../.." && pwd)"
bin="$root/.cache/bin"
mkdir -p "$bin"

# build OUT DIR PKG [LDFLAGS]: go build PKG from the module in DIR, unless OUT
# exists. Written to a temporary name first so an interrupted build never
# leaves a truncated binary that later runs would trust.
build() {
	local out="$1" dir="$2" pkg="$3" ldflags="${4:-}"
	if [[ -x "$out" ]]; then
		log "using $(basename "$out") (cached in .cache/bin)"
		return
	fi
	log "building $pkg -> .cache/bin/$(basename "$out") (first run only; takes minutes on 2 cores)"
	local start=$SECONDS
	# -p 2 keeps memory and CPU within a 2-core machine; -trimpath and
	# -s -w make the binary independent of this checkout's path and smaller.
	(cd "$dir" && go build -p 2 -trimpath -ldflags="-s -w $ldflags" -o "$out.tmp" "$pkg")
	mv "$out.tmp" "$out"
	log "built $(basename "$out") in $((SECONDS - start))s"
}
