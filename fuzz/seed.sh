#!/usr/bin/env bash
# Seed the fuzz corpora (fuzz/corpus/, not committed) from the project's
# fixtures and, when present, the shared corpus of real configs next to the
# repository. Run from anywhere; safe to run again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
SHARED_CORPUS=""
for target in migrate redact; do
    mkdir -p "$here/corpus/$target"
    cp "$root"/tests/fixtures/rules/*.json "$here/corpus/$target/"
    cp "$root"/examples/*/*.json "$here/corpus/$target/"
    if [ -d "$root/../shared/corpus" ]; then
        SHARED_CORPUS="$root/../shared/corpus"
        find "$root/../shared/corpus" -type f -name '*.json*' -size -256k \
            -exec cp {} "$here/corpus/$target/" \;
    fi
done
# `redact` also takes its input as a credential: seed the shapes of issue 12.
printf '%s' "Pa,ss(x'[{\" y@z" > "$here/corpus/redact/shape-userinfo"
printf '%s' '{{ env "X" | default "k" }}' > "$here/corpus/redact/shape-action"
printf '%s' '\L\P\x41\u00e9 %70=a&to%6Ben=b#access_token=c' > "$here/corpus/redact/shape-escapes"
printf '%s' '{"name": "Authorization", "value": "Basic x", "ssm": "{\"password\": \"y\"}"}' > "$here/corpus/redact/shape-pair"
# `formats`: the first byte picks the format (0 JSON, 1 YAML, 2 TOML,
# 3 template).
mkdir -p "$here/corpus/formats"
seed() { # prefix file
    printf '%s' "$1" | cat - "$2" > "$here/corpus/formats/$1-$(basename "$(dirname "$2")")-$(basename "$2")"
}
for f in "$root"/tests/fixtures/rules/*.json "$root"/examples/*/*.json; do seed 0 "$f"; done
while IFS= read -r -d '' f; do
    case "$f" in
        *.json) seed 0 "$f" ;;
        *.yaml | *.yml) seed 1 "$f" ;;
        *.toml) seed 2 "$f" ;;
        *.tmpl) seed 3 "$f" ;;
    esac
done < <(find "$root/tests/fixtures/repo" ${SHARED_CORPUS:+"$SHARED_CORPUS"} -type f -size -256k -print0)
echo "seeded: $(ls "$here/corpus/migrate" | wc -l) files per target"
