#!/usr/bin/env bash
# Builds the test oracles (tests/it/oracle) from the pinned Go modules under
# tests/oracle/ into a git-ignored cache, default target/oracle/ of the
# repository (OC2OTEL_ORACLE_DIR overrides it). GOMODCACHE and GOCACHE live
# in that cache too unless the caller set them, so a second run is instant:
# each oracle is rebuilt only when the hash of its pinned inputs (every file
# of its module, the Go version, the build flags) differs from its stamp.
#
#   tests/oracle/build.sh            build what is missing, print what and how long
#   tests/oracle/build.sh --list     print the binaries and whether each is up to date
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
oracle_src="$root/tests/oracle"
out=${OC2OTEL_ORACLE_DIR:-$root/target/oracle}
mkdir -p "$out/bin" "$out/stamps"
out=$(cd "$out" && pwd)

# Go's caches next to the binaries, unless the caller chose others.
export GOMODCACHE=${GOMODCACHE:-$out/gomodcache}
export GOCACHE=${GOCACHE:-$out/gocache}
# The committed go.sum files are the pins: never edit them while building,
# and never fetch a Go toolchain other than the machine's.
export GOFLAGS=-mod=readonly
export GOTOOLCHAIN=local
export CGO_ENABLED=0

if ! command -v go > /dev/null; then
    echo "oracle build: no 'go' on PATH; the oracle tiers need Go >= 1.25" >&2
    exit 1
fi
go_version=$(go env GOVERSION)

# name | module directory | package to build | extra ldflags
oracles=(
    "otelcol-v0.156.0|collector-v0.156.0|.|"
    "otelcol-v0.148.0|collector-v0.148.0|.|"
    "gateway|gateway|.|"
    "krakend-ce|krakend|github.com/krakend/krakend-ce/v2/cmd/krakend-ce|-X github.com/luraproject/lura/v2/core.KrakendVersion=2.13.8"
)

# Hash of everything that decides a binary: the module's files (sorted by
# path), the Go version and the build flags.
stamp_of() {
    local dir=$1 pkg=$2 ldflags=$3
    {
        (cd "$oracle_src/$dir" && find . -type f ! -name '*.md' -print0 | sort -z | xargs -0 sha256sum)
        echo "$go_version|$pkg|$ldflags|$CGO_ENABLED"
    } | sha256sum | cut -d' ' -f1
}

list_only=false
[[ ${1:-} == --list ]] && list_only=true

total_start=$(date +%s)
built=0
for entry in "${oracles[@]}"; do
    IFS='|' read -r name dir pkg ldflags <<< "$entry"
    bin="$out/bin/$name"
    if [[ ! -f "$oracle_src/$dir/go.sum" ]]; then
        # KrakenD CE: the Go module proxy serves no version of it (nor of
        # lura, krakend-otel or krakend-opencensus), so no go.sum could be
        # made; see docs/testing.md.
        echo "oracle $name: not buildable here (no tests/oracle/$dir/go.sum; see docs/testing.md)"
        continue
    fi
    stamp=$(stamp_of "$dir" "$pkg" "$ldflags")
    if [[ -x "$bin" && -f "$out/stamps/$name" && $(cat "$out/stamps/$name") == "$stamp" ]]; then
        echo "oracle $name: up to date ($bin)"
        continue
    fi
    if $list_only; then
        echo "oracle $name: missing or stale"
        continue
    fi
    echo "oracle $name: building with $go_version ..."
    start=$(date +%s)
    (cd "$oracle_src/$dir" && nice go build -trimpath -ldflags "-s -w $ldflags" -o "$bin.tmp" "$pkg")
    mv "$bin.tmp" "$bin"
    echo "$stamp" > "$out/stamps/$name"
    built=$((built + 1))
    echo "oracle $name: built in $(($(date +%s) - start)) s ($(du -h "$bin" | cut -f1))"
done
echo "oracle build: $built built, $(($(date +%s) - total_start)) s in all, cache $out"
