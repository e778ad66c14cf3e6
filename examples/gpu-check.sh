#!/bin/sh
# First run on a GPU machine: checks the CUDA libtorch, then measures the training step and a short run
# and prints one table (ms/step, images/s, device memory, host round trips per step). Needs no network;
# takes about 8 minutes on one GPU (the SD-1.5-sized model with random weights is written first, ~4 GB,
# unless --model names one).
#
#   PYTORCH_LIBRARY_PATH=/opt/libtorch/lib examples/gpu-check.sh [--model DIR] [--keep]
#   examples/gpu-check.sh --device cpu [--model DIR] [--resolution 64] [--arch tiny-sd1]    # the same steps on the CPU
#
# The GPU needs a libtorch 2.7.1 built for CUDA 12.x (cu12x) with DJL's libdjl_torch.so for cu128 in the
# same folder (README, GPU). Without a GPU or with another libtorch it stops with one line saying which.
set -u
project=$(cd "$(dirname "$0")/.." && pwd)
device=gpu
model=
arch=sd15
resolution=512
precision=fp16
batches="1 8"
keep=
while [ $# -gt 0 ]; do
  case "$1" in
    --device) device=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --resolution) resolution=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "gpu-check: unknown option $1 (use --device cpu|gpu|gpu:N, --model DIR, --arch A, --resolution R, --keep)" >&2; exit 2 ;;
  esac
done

fail() {
  echo "gpu-check: $*" >&2
  exit 1
}

if [ "$device" = cpu ]; then
  # fp16 on the CPU is slow and proves nothing the GPU run needs; the CPU rehearsal trains in fp32.
  precision=no
  batches="1 2"
else
  command -v nvidia-smi >/dev/null 2>&1 || fail "no NVIDIA driver found (nvidia-smi is not on PATH); this check needs a CUDA GPU."
  nvidia-smi -L 2>/dev/null | grep -q '^GPU ' || fail "nvidia-smi lists no GPU; this check needs a CUDA GPU."
  [ -n "${PYTORCH_LIBRARY_PATH:-}" ] || fail "PYTORCH_LIBRARY_PATH is not set: point it at the lib/ folder of a libtorch 2.7.1 cu12x holding libdjl_torch.so (README, GPU)."
  for library in libtorch.so libtorch_cuda.so libdjl_torch.so; do
    [ -f "$PYTORCH_LIBRARY_PATH/$library" ] || fail "PYTORCH_LIBRARY_PATH=$PYTORCH_LIBRARY_PATH holds no $library: it must be a CUDA libtorch 2.7.1 (cu12x) with DJL's libdjl_torch.so for cu128."
  done
  version_file=
  for candidate in "$PYTORCH_LIBRARY_PATH/../build-version" "$PYTORCH_LIBRARY_PATH/build-version"; do
    [ -f "$candidate" ] && version_file=$candidate && break
  done
  if [ -n "$version_file" ]; then
    built=$(cat "$version_file")
    case "$built" in
      2.7.1+cu12*) ;;
      *) fail "libtorch in $PYTORCH_LIBRARY_PATH is $built; Neologism's DJL 0.36 needs 2.7.1+cu12x." ;;
    esac
  fi
  export PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=${PYTORCH_FLAVOR:-cu128}
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/neologism-gpu-check.XXXXXX")
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
neologism() {
  "$project/neologism" "$@"
}
started=$(date +%s)

echo "gpu-check: engine" >&2
neologism --run ti:info --run ti:tensor-check > "$work/check.log" 2>&1 || { tail -n 5 "$work/check.log" >&2; fail "ti:tensor-check failed (above)."; }
if [ "$device" != cpu ]; then
  grep -q 'device gpu' "$work/check.log" || fail "libtorch loaded but ran ti:tensor-check on the CPU: it sees no GPU (CUDA driver or libtorch flavour mismatch; PYTORCH_FLAVOR=$PYTORCH_FLAVOR)."
fi

if [ -z "$model" ]; then
  model="$work/$arch"
  echo "gpu-check: writing an $arch model with random weights to $model" >&2
  neologism --run "ti:model create $model --arch $arch" > "$work/model.log" 2>&1 || { tail -n 5 "$work/model.log" >&2; fail "ti:model create failed (above)."; }
fi
model=$(cd "$model" && pwd)

table="$work/table"
printf '%-40s %10s %9s %12s %12s\n' "what" "ms/step" "images/s" "device GB" "round trips" > "$table"
for batch in $batches; do
  echo "gpu-check: ti:bench ${resolution}px batch $batch" >&2
  neologism --run "ti:bench $model --device $device --resolution $resolution --train_batch_size $batch \
      --mixed_precision $precision --steps 5 --warmup 2" > "$work/bench-$batch.log" 2>&1 \
    || { tail -n 5 "$work/bench-$batch.log" >&2; fail "ti:bench batch $batch failed (above)."; }
  awk -v what="ti:bench ${resolution}px $precision batch $batch" '
    /median .*\/step/ { for (i = 1; i <= NF; i++) if ($i == "median") { v = $(i + 1); u = $(i + 2) }
                        ms = (u ~ /^s/) ? v * 1000 : v
                        for (i = 1; i <= NF; i++) if ($i ~ /^images\/s/) ips = $(i - 1) }
    /device memory in use/ { for (i = 1; i <= NF; i++) if ($i == "use") gb = $(i + 1) }
    /host round trips per step:/ { trips = $5 }
    END { printf "%-40s %10.1f %9s %12s %12s\n", what, ms, ips, (gb == "" ? "-" : gb), trips }' "$work/bench-$batch.log" >> "$table"
done

echo "gpu-check: ti:train, 20 steps with the latent cache" >&2
mkdir -p "$work/images"
neologism --run "ti:demo --root $work/demo" > "$work/demo.log" 2>&1 || { tail -n 5 "$work/demo.log" >&2; fail "ti:demo (which makes the training images) failed (above)."; }
cp "$work"/demo/text-inversion-training-data/*/* "$work/images/" 2>/dev/null || fail "ti:demo left no training images under $work/demo."
neologism --run "ti:train --wait --model $model --placeholder_token '<gpu-check>' --train_data_dir $work/images \
    --output_dir $work/train --root $work/root --resolution $resolution --train_batch_size 1 --max_train_steps 20 \
    --mixed_precision $precision --device $device --seed 1" > "$work/train.log" 2>&1 \
  || { tail -n 5 "$work/train.log" >&2; fail "ti:train failed (above)."; }
awk -F, -v what="ti:train ${resolution}px $precision batch 1, 20 steps" '
  NR > 1 { t[$1] = $4; n = $1 }
  END { warm = 5; printf "%-40s %10.1f %9.2f %12s %12s\n", what, 1000 * (t[n] - t[warm]) / (n - warm),
        (n - warm) / (t[n] - t[warm]), "-", "1 (loss)" }' "$work/train/loss.csv" >> "$table"

if neologism --run "help ti:generate" > /dev/null 2>&1; then
  echo "gpu-check: ti:generate" >&2
  neologism --run "ti:generate --model $model --prompt 'a photo of <gpu-check>' --output $work/generated.png" \
      > "$work/generate.log" 2>&1 || { tail -n 5 "$work/generate.log" >&2; fail "ti:generate failed (above)."; }
  printf '%-40s %10s %9s %12s %12s\n' "ti:generate" "done" "-" "-" "-" >> "$table"
fi

cat "$table"
echo "device $device; $(( $(date +%s) - started )) s in all; load average $(cut -d' ' -f1-3 /proc/loadavg)${keep:+; logs in $work}"
