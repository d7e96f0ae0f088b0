#!/usr/bin/env bash
# Builds the oc2otel playground into playground/dist/: the library compiled
# to WebAssembly (playground/wasm), its wasm-bindgen glue, and the static
# page. One command, from anywhere:
#
#     playground/build.sh
#
# It adds the wasm32-unknown-unknown target (rustup) and installs the
# pinned wasm-bindgen CLI (cargo install, from source, into target/) when
# they are missing; with OC2OTEL_PLAYGROUND_NO_INSTALL=1 it installs
# nothing and exits 3 instead (the tests use that to skip). A second run
# rebuilds only what changed. docs/playground.md says how it works.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# Must equal the wasm-bindgen crate's exact pin in playground/wasm/Cargo.toml:
# the CLI writes the JavaScript glue for the module that crate built.
WASM_BINDGEN_VERSION=0.2.128
tools=${OC2OTEL_PLAYGROUND_TOOLS:-$root/target/playground-tools}
target_dir=${OC2OTEL_PLAYGROUND_TARGET_DIR:-$root/target/playground}
dist=$here/dist
no_install=${OC2OTEL_PLAYGROUND_NO_INSTALL:-0}

say() { echo "playground: $*" >&2; }
missing() {
  say "$*"
  if [ "$no_install" = 1 ]; then exit 3; fi
}

if ! grep -q "^wasm-bindgen = \"=$WASM_BINDGEN_VERSION\"" "$here/wasm/Cargo.toml"; then
  say "playground/wasm/Cargo.toml must pin wasm-bindgen = \"=$WASM_BINDGEN_VERSION\" (the CLI's version)"
  exit 2
fi

# 1. The target (rustup's standard library for wasm32).
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  missing "the wasm32-unknown-unknown target is not installed"
  rustup target add wasm32-unknown-unknown
fi

# 2. The wasm-bindgen CLI, at the crate's version (a few minutes, once).
bindgen=$tools/bin/wasm-bindgen
if [ ! -x "$bindgen" ] || [ "$("$bindgen" --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  missing "wasm-bindgen-cli $WASM_BINDGEN_VERSION is not installed in $tools"
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION into $tools (from source: a few minutes, once)"
  cargo install --locked --quiet wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$tools"
fi

# 3. The module. Its own target directory: no lock shared with a cargo
# run at the top (the tests call this script from `cargo test`).
say "building the WebAssembly module"
cargo build --locked --quiet --release --target wasm32-unknown-unknown \
  --manifest-path "$here/wasm/Cargo.toml" --target-dir "$target_dir"
wasm=$target_dir/wasm32-unknown-unknown/release/oc2otel_playground.wasm

# 4. The worker and the module's bytes, as JavaScript modules the page
# imports: its Content-Security-Policy forbids fetch(), and a worker must
# load nothing after the page has (docs/playground.md). The worker is
# wasm-bindgen's glue (no-modules: it defines `wasm_bindgen`) followed by
# worker.js, inside one function whose text the page starts workers from.
mkdir -p "$dist/pkg"
worker=$dist/pkg/worker_main.js
bytes=$dist/pkg/oc2otel_playground_wasm.js
if [ ! -f "$bytes" ] || [ "$wasm" -nt "$bytes" ] || [ "$here/worker.js" -nt "$worker" ]; then
  staging=$(mktemp -d)
  trap 'rm -rf "$staging"' EXIT
  "$bindgen" --target no-modules --no-typescript --out-dir "$staging" --out-name oc2otel_playground "$wasm"
  {
    echo "// The playground's worker (written by playground/build.sh): wasm-bindgen's"
    echo "// glue, then playground/worker.js. The page starts workers from this"
    echo "// function's text (app.js)."
    echo "export function workerMain() {"
    cat "$staging/oc2otel_playground.js" "$here/worker.js"
    echo "}"
  } > "$worker.tmp"
  {
    echo "// The oc2otel WebAssembly module, base64 (written by playground/build.sh)."
    printf 'export const WASM_BASE64 = "'
    base64 < "$staging/oc2otel_playground_bg.wasm" | tr -d '\n'
    printf '";\n'
  } > "$bytes.tmp"
  mv "$worker.tmp" "$worker"
  mv "$bytes.tmp" "$bytes"
fi

# 5. The static files.
for file in index.html app.js style.css; do
  cp "$here/$file" "$dist/$file"
done

size=$(du -sh "$dist" | cut -f1)
cat <<EOF
playground: built $dist ($size)
Open it from a local static server, for example:

    python3 -m http.server --bind 127.0.0.1 --directory "$dist" 8000

then http://127.0.0.1:8000/ (from a file:// URL the browser refuses to load its modules).
EOF
