#!/usr/bin/env bash
# Seeds the fuzz corpora from the repository's own policies and data:
# policies and test policies for parse_check/fmt, data files for data.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/parse_check corpus/fmt corpus/data corpus/eval
for f in ../policies/*.kpi $(find ../tests/data -name '*.kpi'); do
  h=$(sha1sum "$f" | cut -c1-16)
  cp "$f" "corpus/parse_check/$h"
  cp "$f" "corpus/fmt/$h"
done
# data: one selector byte (which seed policy, which file name), then the file
i=0
for f in $(find ../examples ../tests/data -name '*.csv' -o -name '*.json' | sort); do
  h=$(sha1sum "$f" | cut -c1-16)
  { printf "\\x$(printf %02x $((i % 8)))"; cat "$f"; } > "corpus/data/$h"
  i=$((i + 1))
done
echo "seeded: $(ls corpus/parse_check | wc -l) policies, $(ls corpus/data | wc -l) data files"
