/**
 * `quantgpu eval <model.onnx> --dataset <data> [--runtime gpu|ort|ort-fakequant] [--start N] [--limit N] [--pixels ...]`
 * Top-1 for classifiers (CIFAR-10 binary), COCO mAP / AP50 for detectors (COCO JSON + images), and FPS.
 */
import { existsSync, readFileSync } from 'node:fs';
import { load } from '../runtime/onnx/load.ts';
import { datasetSize, modelProfile, openDataset, type PixelsName } from '../ptq/datasets.ts';
import { evaluate, gpuRunner, ortRunner, type Runner } from '../ptq/evaluate.ts';
import { flag, parseArgs } from './args.ts';
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
  if (!path || !dataPath) throw new Error('usage: quantgpu eval <model.onnx> --dataset <cifar.bin | instances.json | dir> [--runtime gpu|ort|ort-fakequant] [--start N] [--limit N] [--batch N]');
  const bytes = new Uint8Array(readFileSync(path));
  const profile = modelProfile(load(bytes), path, (flag(a, 'pixels') ?? sidecarPixels(path)) as PixelsName | undefined);
  const data = openDataset(dataPath);
  const start = Number(flag(a, 'start') ?? 0);
  const end = Math.min(datasetSize(data), start + Number(flag(a, 'limit') ?? datasetSize(data)));
  const batch = Number(flag(a, 'batch') ?? 50);
  const shape = profile.task === 'classify' ? [batch, 3, 32, 32] : [1, 3, profile.decoder!.inputSize![1], profile.decoder!.inputSize![0]];
  const runner = await openRunner(flag(a, 'runtime') ?? 'gpu', bytes, { [profile.input]: shape });
  try {
    const r = await evaluate(runner, data, profile, { start, end, batch, onProgress: progressBar('eval') });
    const metric = r.task === 'classify' ? `top-1 ${(100 * r.top1!).toFixed(2)}%` : `mAP ${(100 * r.mAP!).toFixed(1)} AP50 ${(100 * r.AP50!).toFixed(1)}`;
    console.log(`${path}: ${metric} on images [${start}, ${end}) of ${dataPath}; ${r.fps.toFixed(1)} images/s (${runner.label})`);
  } finally {
    await runner.dispose();
  }
}

/** The preprocessing `quantgpu quantize` recorded next to a model it wrote (`<model>.config.json`), if any. */
function sidecarPixels(model: string): string | undefined {
  const file = `${model}.config.json`;
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { ptq?: { pixels?: string } }).ptq?.pixels;
}
