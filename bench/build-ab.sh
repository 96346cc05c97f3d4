#!/bin/bash
# Interleaved A/B of the build at 100k seeds: two checkouts of this repository, alternated, each
# build in a fresh process (bench/child.ts build), as BENCHMARKS.md's figure 8 A/Bs were measured.
#
#   bench/build-ab.sh OLD_CHECKOUT NEW_CHECKOUT CORPUS SCRATCH ROUNDS
#
# CORPUS is edited: give it a copy (cp -al bench/tmp/corpus-100000 /tmp/x/corpus makes one of hard
# links; each edit writes a new file and moves it over its link, so the original stays as it was).
# Three cold builds per side, then ROUNDS rounds of one title edited (a splice) and of nothing
# changed. One JSON line per build, prefixed by side, kind and the load average; then whether the
# two sides wrote the same index.bin (cmp -l lists the differing bytes, if any). COLD_ROUNDS=0
# skips the cold builds, to A/B rebuilds against caches that SCRATCH/cache-A and cache-B already hold.
# EDIT=in-place writes each edit over the file's old bytes instead (its inode stays, its folder does
# not change), as bench/run.ts and some editors do; the file gets an inode of its own first, so
# that the original corpus is never written through a hard link.
set -euo pipefail
old=$1 new=$2 corpus=$3 scratch=$4 rounds=$5
files=("$corpus"/*)
victim=${files[0]}
mkdir -p "$scratch"
if [ "${EDIT:-rename}" = in-place ]; then cp "$victim" "$scratch/own" && mv "$scratch/own" "$victim"; fi
run() { # side kind
  local dir=$old; [ "$1" = B ] && dir=$new
  [ "$2" = cold ] && rm -rf "$scratch/cache-$1"
  # Each side keeps its worker bundles apart: a checkout whose node_modules is a link to the
  # other's would otherwise share them, and each build would bundle its workers again (~1.3 s).
  local out; out=$(cd "$dir" && ELSEWHERE_BUNDLE_DIR="$scratch/bundles-$1" node --import tsx bench/child.ts build "$corpus" "$scratch/out-$1" "$scratch/cache-$1" 2)
  echo "$1 $2 $(cut -d' ' -f1 /proc/loadavg) $out"
}
# Bundled once per side before the clock runs, as a checkout that builds again has them.
for side in A B; do
  dir=$old; [ "$side" = B ] && dir=$new
  (cd "$dir" && ELSEWHERE_BUNDLE_DIR="$scratch/bundles-$side" node --import tsx -e "const { bundledWorker } = await import('./src/build/worker-bundle.ts'); bundledWorker(); bundledWorker(null, 'index-worker');")
done
compare() { cmp -l "$scratch/out-A/index.bin" "$scratch/out-B/index.bin" | head -5 || true; }
for round in $(seq 1 "${COLD_ROUNDS:-3}"); do
  order="A B"; [ $((round % 2)) = 0 ] && order="B A"
  for side in $order; do run "$side" cold; done
  compare
done
for round in $(seq 1 "$rounds"); do
  order="A B"; [ $((round % 2)) = 0 ] && order="B A"
  sed "s/^title: \"\(Edit [^ ]* \)\?/title: \"Edit $round /" "$victim" > "$scratch/edited"
  if [ "${EDIT:-rename}" = in-place ]; then cat "$scratch/edited" > "$victim"; else mv "$scratch/edited" "$victim"; fi
  for side in $order; do run "$side" one; done
  compare
  for side in $order; do run "$side" none; done
done
