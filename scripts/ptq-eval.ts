/**
 * Evaluates model files that `scripts/ptq-table.ts --save dir` wrote, one after another, on one runtime, with the
 * float model's preprocessing and the table's evaluation images; prints one table line per file (and appends it
 * to `--append file`). Why a separate step: on SwiftShader the GPU runtime runs YOLOX-nano at 0.1-0.5 images/s
 * under load, so the simulation rows of every configuration come first (minutes) and the GPU rows of the very
 * same bytes follow, most important first, each one committed as it lands.
 *
 *   node --import tsx --import ./scripts/raw-hook.mjs scripts/ptq-eval.ts --model yolox --runtime gpu
 *     [--start 32] [--limit 96] [--append docs/ptq-results/x.md] /tmp/q/yolox-W8A8-auto.onnx ...
 *
 * Detectors: `--dets dir` appends each image's detections to `dir/<file>.<runtime>.jsonl` as they are made, and
 * `--score a.jsonl b.jsonl ...` scores such files on the images that *all* of them cover (a GPU run stopped part
 * way against the simulation of the same bytes on the same images), without running anything.
 *
 * `--runtime ort-web-fakequant`: the same simulation (Q and DQ literal, optimizations disabled) in onnxruntime-web's
 * wasm build (one thread): a second build of the reference, whose distance from onnxruntime-node's mAP on the same
 * bytes is how far two faithful float-Q/DQ implementations differ (docs/ptq.md, GPU vs simulation).
 *
 * `--jitter eps --seeds 1,2,3` (or `--seed s`): adds uniform noise in [-eps, eps] (input units) to every input element before the
 * runner sees it: a perturbation far below the input's quantization step that still flips a few near-ties, as a
 * second faithful implementation would. Over several seeds it prints each draw, then their mean and range: how
 * far the score moves from ties alone.
 *
 * `--model`: the key of ptq-table.ts's model list (its float file gives the preprocessing and the "vs FP32"
 * size). The evaluation images default to ptq-table's (coco128 32-127, CIFAR 200-999).
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { evaluateCoco } from '../src/eval/coco-map.ts';
import type { CocoDetection } from '../src/eval/coco.ts';
import { openRunner } from '../src/cli/eval.ts';
import { flag, has, parseArgs } from '../src/cli/args.ts';
import { progressBar } from '../src/cli/progress.ts';
import { assetPath } from '../src/eval/assets.ts';
import { load } from '../src/runtime/onnx/load.ts';
import { datasetSize, modelProfile, openDataset } from '../src/ptq/datasets.ts';
import { evaluate, type Runner } from '../src/ptq/evaluate.ts';
import { ortWebSession } from '../test/helpers/qdq-spread.ts';
import { jittered, ptqModel } from './ptq-models.ts';
import { floatGraph } from '../src/ptq/quantize.ts';
import { weightBytes } from '../src/ptq/weights.ts';


const a = parseArgs(process.argv.slice(2), ['score']);
const key = flag(a, 'model') ?? '';
const m = ptqModel(key, 'ptq-eval');
const rt = flag(a, 'runtime') ?? 'gpu';
const g = floatGraph(new Uint8Array(readFileSync(assetPath(m.file))));
const profile = modelProfile(g, m.file);
const data = openDataset(assetPath(m.data));
const start = Number(flag(a, 'start') ?? m.calib);
const end = Math.min(datasetSize(data), start + Number(flag(a, 'limit') ?? datasetSize(data)));
const shape = profile.task === 'classify' ? [50, 3, 32, 32] : [1, 3, profile.decoder!.inputSize![1], profile.decoder!.inputSize![0]];
if (has(a, 'score')) {
  // One line per image: {"index", "dets"}; the images scored are those present in every file.
  if (data.kind !== 'coco') throw new Error('ptq-eval --score: detection files need a COCO dataset');
  const runs = a.positionals.map((f) => new Map(readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
    const r = JSON.parse(l) as { index: number; dets: CocoDetection[] };
    return [r.index, r.dets] as const;
  })));
  const common = [...runs[0].keys()].filter((i) => runs.every((r) => r.has(i))).sort((x, y) => x - y);
  const ids = new Set(common.map((i) => data.dataset.images[i].id));
  const gt = { ...data.dataset, images: data.dataset.images.filter((im) => ids.has(im.id)), annotations: data.dataset.annotations.filter((x) => ids.has(x.image_id)) };
  for (const [k, r] of runs.entries()) {
    const s = evaluateCoco(gt, common.flatMap((i) => r.get(i)!));
    console.log(`| ${key} | ${basename(a.positionals[k], '.jsonl')} | ${common.length} images ${common[0]}-${common.at(-1)} | ${(100 * s.mAP).toFixed(1)} | ${(100 * s.AP50).toFixed(1)} |`);
  }
  process.exit(0);
}
/** onnxruntime-web's wasm build, one thread, graph optimizations disabled (test/helpers/qdq-spread.ts). */
async function ortWebRunner(bytes: Uint8Array): Promise<Runner> {
  const s = await ortWebSession(bytes);
  return { label: 'onnxruntime-web wasm (disabled)', run: s.run, dispose: s.release };
}

const detsDir = flag(a, 'dets');
if (detsDir) mkdirSync(detsDir, { recursive: true });
const eps = Number(flag(a, 'jitter') ?? 0);
// Without jitter one plain run; with it one run per seed, then the mean and range of the draws.
const seeds = eps > 0 ? (flag(a, 'seeds') ?? flag(a, 'seed') ?? '1').split(',').map(Number) : [0];
const out = flag(a, 'append');
const emit = (line: string): void => {
  console.log(line);
  if (out) appendFileSync(out, `${line}\n`);
};
for (const file of a.positionals) {
  const bytes = new Uint8Array(readFileSync(file));
  const wb = weightBytes(load(bytes)); // as loaded: simplify would fold the weights' DequantizeLinear away
  const size = `${wb} | ${(weightBytes(g) / wb).toFixed(2)}x |`;
  const base = rt === 'ort-web-fakequant' ? await ortWebRunner(bytes) : await openRunner(rt, bytes, { [profile.input]: shape });
  const scores: number[] = [];
  try {
    for (const seed of seeds) {
      const runner = eps > 0 ? jittered(base, eps, seed) : base;
      const tag = eps > 0 ? `.jitter${eps}-${seed}` : '';
      const detsFile = detsDir && join(detsDir, `${basename(file, '.onnx')}.${rt}${tag}.jsonl`);
      const onDetections = detsFile ? (index: number, dets: CocoDetection[]) => appendFileSync(detsFile, `${JSON.stringify({ index, dets })}\n`) : undefined;
      const r = await evaluate(runner, data, profile, { start, end, onDetections, onProgress: progressBar(`${basename(file)} (${rt}${tag})`) });
      const score = 100 * (r.task === 'classify' ? r.top1! : r.mAP!);
      scores.push(score);
      const cells = r.task === 'classify' ? `${score.toFixed(2)} | - | ${r.fps.toFixed(1)}` : `${score.toFixed(1)} | ${(100 * r.AP50!).toFixed(1)} | ${r.fps.toFixed(1)}`;
      emit(`| ${key} | ${basename(file, '.onnx')} | ${start}-${end - 1} | ${rt}${tag}: ${cells} | ${size}`);
    }
  } finally {
    await base.dispose();
  }
  if (scores.length > 1) {
    const mean = scores.reduce((x, y) => x + y, 0) / scores.length;
    emit(`| ${key} | ${basename(file, '.onnx')} | ${start}-${end - 1} | ${rt} jitter ${eps}, seeds ${seeds.join(',')}: mean ${mean.toFixed(2)} (${Math.min(...scores).toFixed(1)} to ${Math.max(...scores).toFixed(1)}) | - | - | ${size}`);
  }
}
