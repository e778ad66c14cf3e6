#!/bin/sh
# Trains a model for N steps with ti:train and prints the steady-state seconds per step and the peak
# memory in the form of diffusers' progress output, so the same run of diffusers' textual_inversion.py
# on the same machine can be compared line for line:
#
#   examples/train-steps.sh <model folder> <images folder> [steps=20] [resolution=256] [batch=1] [extra ti:train options]
#
#   diffusers:  accelerate launch textual_inversion.py --pretrained_model_name_or_path <model> \
#                 --train_data_dir <images> --resolution 256 --train_batch_size 1 --max_train_steps 20 \
#                 --placeholder_token '<bench>' --output_dir /tmp/diffusers-ti
#
# The first quarter of the steps (at least one) is warm-up and left out of the steady-state figure.
# The run goes to a temporary root and output folder, deleted at the end.
set -e
if [ $# -lt 2 ]; then
  echo "usage: $0 <model folder> <images folder> [steps=20] [resolution=256] [batch=1] [ti:train options...]" >&2
  exit 2
fi
project=$(cd "$(dirname "$0")/.." && pwd)
model=$(cd "$1" && pwd)
images=$(cd "$2" && pwd)
steps=${3:-20}
resolution=${4:-256}
batch=${5:-1}
shift $(( $# < 5 ? $# : 5 ))
work=$(mktemp -d "${TMPDIR:-/tmp}/neologism-steps.XXXXXX")
trap 'rm -rf "$work"' EXIT

# GNU time's %M is the peak resident set of the whole JVM (heap and libtorch's tensors).
/usr/bin/time -f '%M' -o "$work/peak-kb" "$project/neologism" --run "ti:train --wait --model $model \
  --placeholder_token '<bench>' --train_data_dir $images --output_dir $work/out \
  --root $work/root --resolution $resolution --train_batch_size $batch --max_train_steps $steps --seed 1 \
  --checkpointing_steps $((steps + 1)) --save_steps $((steps + 1)) $*" > "$work/train.log" 2>&1 || {
  tail -n 5 "$work/train.log" >&2
  echo "$0: ti:train failed (log above)" >&2
  exit 1
}

# loss.csv: step,loss,lr,seconds since the start of training.
awk -F, -v steps="$steps" -v peak="$(cat "$work/peak-kb")" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" '
  NR == 1 { next }
  { t[$1] = $4; loss = $2; lr = $3; n = $1 }
  END {
    warm = int(n / 4); if (warm < 1) warm = 1; if (warm >= n) warm = 0
    steady = (t[n] - t[warm]) / (n - warm)
    total = t[n]
    printf "Steps: 100%%|##########| %d/%d [%02d:%02d<00:00, %.2fs/it, loss=%.3g, lr=%.3g]\n", n, steps,
           int(total / 60), int(total) % 60, steady, loss, lr
    printf "steady state %.3f s/step over steps %d-%d; peak memory %.2f GB (resident); load average %s\n",
           steady, warm + 1, n, peak / 1048576, load
  }' "$work/out/loss.csv"
