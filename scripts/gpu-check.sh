#!/usr/bin/env bash
# One check for a machine with a real GPU (run from anywhere; needs `npm ci` and ../shared/assets, see README):
#   1. the integer kernel families on the ResNet-18 and YOLOv8n layer shapes (GFLOP/s, analytic MAC per byte),
#   2. the FP32 / weight-only / integer kernel summary on the ResNet-18 3x3 layers,
#   3. `npm run bench -- --node` (quantgpu on Node's Dawn + onnxruntime-node CPU) on ResNet-18 at 224 and YOLOv8n
#      at 640, FP32 and INT8,
#   4. the same in headless Chromium with real-GPU flags (`--gpu`), with onnxruntime-web WebGPU and TF.js, if
#      Chromium starts on this machine.
# Each step has its own time limit (all together under 8 minutes); a step that fails or times out is reported and
# the next one runs. Tables go to gpu-check-<date>/ (or $GPU_CHECK_OUT): one markdown file per step + summary.md.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${GPU_CHECK_OUT:-gpu-check-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
summary="$out/summary.md"
node_ts=(node --import tsx --import ./scripts/raw-hook.mjs)
bash scripts/setup.sh >/dev/null 2>&1 || echo "warning: scripts/setup.sh failed (assets/fixtures may be missing)" >&2

step() { # name, time limit (s), command...
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS
  echo "== $name (limit ${limit}s)" >&2
  timeout --kill-after=10 "$limit" "$@" >"$out/$name.md" 2>"$out/$name.log"
  local rc=$?
  local status=ok
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then status="timed out after ${limit}s (partial output kept)"; elif [ $rc -ne 0 ]; then status="failed (exit $rc, see $name.log)"; fi
  echo "- $name: $status, $((SECONDS - t0)) s" >>"$summary"
}

{
  echo "# gpu-check $(date -u +%FT%TZ)"
  echo
  echo "GPU (nvidia-smi / lspci):"
  echo '```'
  (nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || lspci 2>/dev/null | grep -iE 'vga|3d|display' || echo unknown)
  echo '```'
  echo
} >"$summary"

step kernels-int 120 "${node_ts[@]}" scripts/bench-kernels.ts --reps 5 --only int
step kernels-resnet18 90 "${node_ts[@]}" scripts/bench-kernels.ts --reps 5 --shapes r56,r28,r14,r7
step bench-node 150 "${node_ts[@]}" scripts/bench.ts --node --full --models resnet18,yolov8n --precisions fp32,int8 --frames 10 --warmup 3 --cell-timeout 40
step bench-chromium-gpu 100 "${node_ts[@]}" scripts/bench.ts --gpu --full --models resnet18,yolov8n --precisions fp32,fp16,int8 --frames 10 --warmup 3 --cell-timeout 40

cat "$summary"
echo "tables in $out/" >&2
