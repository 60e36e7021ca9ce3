#!/usr/bin/env bash
# The new user's path, checked end to end: clone this repository (its committed HEAD) into a temporary folder with
# nothing beside it, run the README's commands there, pack the library, install the tarball into a fresh Vite
# app, build the app and detect objects in headless Chromium. Prints the time of each step and exits non-zero
# on the first failure.
#
#   bash scripts/fresh-clone-check.sh [--full] [--keep]
#     --full  run the whole `npm test` (tens of minutes on SwiftShader) instead of `npm run test:quick`
#     --keep  leave the temporary folder for inspection
#
# A script rather than a vitest test: it reinstalls node_modules from the registry and builds twice, which is
# far too slow (and too network-bound) for the normal suite. The clone never sees ../shared/assets: its tests
# must pass with the committed models alone and skip the data-bound ones. Only the last step (detections on a
# real COCO photo) reads one image and its reference boxes from the labeled data, given to the app from outside
# the clone (QUANTGPU_ASSETS or this checkout's ../shared/assets); without them that step is skipped, saying so.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
full=0 keep=0
for a in "$@"; do
  case "$a" in
    --full) full=1 ;;
    --keep) keep=1 ;;
    *) echo "fresh-clone-check: unknown option $a" >&2; exit 2 ;;
  esac
done
data="${QUANTGPU_ASSETS:-$src/../shared/assets}"
tmp="$(mktemp -d -t quantgpu-fresh-XXXXXX)"
unset QUANTGPU_ASSETS
[ "$keep" = 1 ] || trap 'rm -rf "$tmp"' EXIT
summary=()
step() {
  local name="$1"; shift
  echo "=== $name: $*"
  local t0=$SECONDS
  "$@"
  summary+=("$(printf '%6ss  %s' $((SECONDS - t0)) "$name")")
  echo "=== $name: ok in $((SECONDS - t0)) s"
}

branch="$(git -C "$src" rev-parse --abbrev-ref HEAD)"
step "git clone" git clone -q --branch "$branch" "$src" "$tmp/quantgpu"
cd "$tmp/quantgpu"
echo "clone at $(git rev-parse --short HEAD) in $tmp/quantgpu; beside it: $(ls "$tmp")"
step "npm run setup (npm ci --ignore-scripts)" npm run setup --silent
if [ "$full" = 1 ]; then step "npm test" npm test --silent; else step "npm run test:quick" npm run test:quick --silent; fi
step "npm run bench (reduced)" npm run bench --silent -- --models resnet8 --runtimes quantgpu,ort-wasm --precisions fp32,int8 --frames 3
rows="$(node -e "const fs=require('fs');const f=fs.readdirSync('bench-results').filter(x=>x.endsWith('.json')).sort().pop();const r=JSON.parse(fs.readFileSync('bench-results/'+f));const bad=r.rows.filter(x=>x.status!=='ok');console.log(r.rows.length+' rows, '+bad.length+' not ok'+(r.complete?'':' (incomplete)'));process.exit(bad.length||!r.complete?1:0)")"
echo "bench: $rows"
step "npm pack (prepare builds dist/)" npm pack --silent --pack-destination "$tmp"
tgz="$(ls "$tmp"/quantgpu-*.tgz)"

# A fresh Vite app outside the clone, with the example's files, installing the tarball like any package.
app="$tmp/app"
mkdir -p "$app/public"
cp examples/vite-app/{index.html,main.ts,tsconfig.json,vite.config.ts} "$app/"
cp models/yolox_nano_coco_416.onnx "$app/public/model.onnx"
image="$data/data/coco128-val2017/images/000000000139.jpg"
refs="$data/data/coco128-val2017/reference_detections_yolox_nano_fp32.json"
if [ -f "$image" ]; then cp "$image" "$app/public/image.jpg"; else image=""; fi
# The repository's own versions: TypeScript 7's DOM library declares WebGPU itself and clashes with @webgpu/types.
ver() { node -p "require('./node_modules/$1/package.json').version"; }
pins="vite@$(ver vite) typescript@$(ver typescript) @webgpu/types@$(ver @webgpu/types)"
(cd "$app" && echo '{ "name": "fresh-app", "private": true, "type": "module" }' > package.json)
step "npm install <tarball> $pins (app)" bash -c "cd '$app' && npm install --no-audit --no-fund --silent '$tgz' $pins"
[ ! -d "$app/node_modules/webgpu" ] || { echo "FAIL: the browser app installed Dawn (webgpu)"; exit 1; }
[ ! -d "$app/node_modules/onnxruntime-node" ] || { echo "FAIL: the browser app installed onnxruntime-node"; exit 1; }
step "tsc (app against the shipped types)" bash -c "cd '$app' && npx tsc -p tsconfig.json"
step "vite build (app)" bash -c "cd '$app' && npx vite build --logLevel warn"
if [ -n "$image" ]; then
  step "detect in Chromium (app)" node --import tsx scripts/fresh-app-detect.ts "$app" "$refs"
else
  echo "=== detect in Chromium (app): SKIPPED, no COCO image at $data/data (set QUANTGPU_ASSETS to a folder holding data/)"
fi
# The CLI under Node: without the optional Dawn package it says how to get it; with it, it plans the model.
step "installed CLI without webgpu: says 'npm install webgpu'" bash -c "cd '$app' && ! npx quantgpu inspect public/model.onnx 2> err.txt && cat err.txt && grep -q 'npm install webgpu' err.txt"
step "npm install webgpu@$(ver webgpu); quantgpu inspect" bash -c "cd '$app' && npm install --no-audit --no-fund --silent webgpu@$(ver webgpu) && npx quantgpu inspect public/model.onnx > plan.txt && tail -n 3 plan.txt && grep -q Conv plan.txt"
echo
echo "fresh-clone-check: all steps passed ($([ "$full" = 1 ] && echo 'npm test' || echo 'test:quick'); no assets beside the clone)"
printf '%s\n' "${summary[@]}"
[ "$keep" = 1 ] && echo "kept: $tmp"
exit 0
