#!/bin/sh
# Start-up benchmark: wall-clock time from launching the distribution to a usable command processor,
# measured as `neologism --run "echo ready"` (start Felix, all bundles, run one command, stop).
# Warm runs only: the first run is discarded. Usage: examples/bench-startup.sh [runs]
set -e
runs=${1:-10}
project=$(cd "$(dirname "$0")/.." && pwd)
"$project/neologism" --run "echo warm-up" >/dev/null
times=""
i=0
while [ $i -lt "$runs" ]; do
  start=$(date +%s%N)
  "$project/launcher/target/neologism/bin/neologism" --run "echo ready" >/dev/null
  end=$(date +%s%N)
  times="$times $(( (end - start) / 1000000 ))"
  i=$((i + 1))
done
echo "$times" | tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {printf "start-up to a usable prompt over %d warm runs: median %d ms, min %d ms, max %d ms\n", NR, a[int((NR+1)/2)], a[1], a[NR]}'
