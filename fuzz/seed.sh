#!/usr/bin/env bash
# Seed the fuzz corpora (fuzz/corpus/, not committed) from the project's
# fixtures and, when present, the shared corpus of real configs next to the
# repository. Run from anywhere; safe to run again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
for target in migrate redact; do
    mkdir -p "$here/corpus/$target"
    cp "$root"/tests/fixtures/rules/*.json "$here/corpus/$target/"
    cp "$root"/examples/*/*.json "$here/corpus/$target/"
    if [ -d "$root/../shared/corpus" ]; then
        find "$root/../shared/corpus" -type f -name '*.json*' -size -256k \
            -exec cp {} "$here/corpus/$target/" \;
    fi
done
echo "seeded: $(ls "$here/corpus/migrate" | wc -l) files per target"
