/**
 * `quantgpu eval <model.onnx> --dataset <data> [--classes names.txt] [--runtime gpu|ort|ort-fakequant] [--start N]
 *   [--limit N] [--pre ... and step overrides]`
 * Top-1 for classifiers (CIFAR-10 binary, or an ImageFolder: one subfolder per class, classes in sorted folder order
 * or as listed in --classes), COCO mAP / AP50 for detectors (COCO JSON + images), and FPS. The preprocessing is
 * the one `quantize` recorded in `<model>.config.json`, unless options say otherwise.
 */
import { readFileSync } from 'node:fs';
import { describePreprocess } from '../pre/spec.ts';
import { load } from '../runtime/onnx/load.ts';
import { datasetSize, openDataset } from '../ptq/datasets.ts';
import { evaluate, gpuRunner, ortRunner, type Runner } from '../ptq/evaluate.ts';
import { DecodeStats } from '../ptq/image-batches.ts';
import { flag, parseArgs } from './args.ts';
import { PREPROCESS_HELP, profileFromArgs } from './preprocess-flags.ts';
import { progressBar } from './progress.ts';

export const RUNTIMES = ['gpu', 'ort', 'ort-fakequant'] as const;

/** A runner by name; the GPU one is planned for `inputShapes`. */
export async function openRunner(kind: string, bytes: Uint8Array, inputShapes: Record<string, number[]>): Promise<Runner> {
  if (kind === 'gpu') return gpuRunner(bytes, inputShapes);
  if (kind === 'ort') return ortRunner(bytes, 'all');
  if (kind === 'ort-fakequant') return ortRunner(bytes, 'disabled');
  throw new Error(`--runtime must be one of ${RUNTIMES.join('|')}, got '${kind}'`);
}

export async function evalCommand(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  const path = a.positionals[0];
  const dataPath = flag(a, 'dataset');
  if (!path || !dataPath) throw new Error(`usage: quantgpu eval <model.onnx> --dataset <cifar.bin | instances.json | ImageFolder dir> [--classes names.txt] [--runtime gpu|ort|ort-fakequant] [--start N] [--limit N] [--batch N]\n${PREPROCESS_HELP}`);
  const bytes = new Uint8Array(readFileSync(path));
  const profile = profileFromArgs(load(bytes), path, a);
  const data = openDataset(dataPath, { classes: flag(a, 'classes') });
  const start = Number(flag(a, 'start') ?? 0);
  const end = Math.min(datasetSize(data), start + Number(flag(a, 'limit') ?? datasetSize(data)));
  if (!(end > start)) throw new Error(`--dataset ${dataPath}: no images in [${start}, ${end}) (it holds ${datasetSize(data)})`);
  const batch = profile.task === 'detect' ? 1 : Number(flag(a, 'batch') ?? 50);
  const item = profile.inputItem.map((d, i) => d ?? (profile.pre.layout === 'nhwc' ? [0, 0, 3] : [3, 0, 0])[i]);
  if (item.some((d) => !d)) throw new Error(`eval: the model input [${profile.inputItem}] has dynamic sizes; the GPU runtime plans for fixed ones`);
  const runner = await openRunner(flag(a, 'runtime') ?? 'gpu', bytes, { [profile.input]: [batch, ...item] });
  if (data.kind === 'images') {
    console.error(`preprocessing (${profile.source}): ${describePreprocess(profile.pre)}`);
    if (data.classes) console.error(`classes (${flag(a, 'classes') ?? 'sorted folder names'}): ${data.classes.map((c, i) => `${i} ${c}`).join(', ')}`);
  }
  const stats = new DecodeStats();
  const bar = progressBar('eval');
  try {
    const r = await evaluate(runner, data, profile, { start, end, batch, stats, onProgress: (d, t) => bar(d, t, stats.note()) });
    const metric = r.task === 'classify' ? `top-1 ${(100 * r.top1!).toFixed(2)}%` : `mAP ${(100 * r.mAP!).toFixed(1)} AP50 ${(100 * r.AP50!).toFixed(1)}`;
    console.log(`${path}: ${metric} on images [${start}, ${end}) of ${dataPath}; ${r.fps.toFixed(1)} images/s (${runner.label})`);
    if (stats.images) console.log(`decoded ${stats.images} images at ${stats.perSecond.toFixed(1)} images/s (decode + preprocess)`);
  } finally {
    await runner.dispose();
  }
}
