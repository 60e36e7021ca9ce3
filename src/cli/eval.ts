/**
 * `quantgpu eval`: top-1 for classifiers (CIFAR-10 binary), COCO mAP / AP50 for detectors (COCO JSON + images),
 * and images per second, on the GPU runtime or onnxruntime.
 */
import { existsSync, readFileSync } from 'node:fs';
import { load } from '../runtime/onnx/load.ts';
import { type Dataset, datasetSize, modelProfile, openDataset, type PixelsName } from '../ptq/datasets.ts';
import { evaluate, gpuRunner, ortRunner, type Runner } from '../ptq/evaluate.ts';
import { type CommandSpec, choiceFlag, flag, helpText, numberFlag, parseCommand, UsageError } from './args.ts';
import { readModelFile } from './files.ts';
import { progressBar, say } from './progress.ts';

export const RUNTIMES = ['gpu', 'ort', 'ort-fakequant'] as const;
const PIXELS = ['raw', 'imagenet', 'yolox', 'fastestdet'] as const;

// One option per line, so that branches adding options merge cleanly.
export const EVAL: CommandSpec = {
  name: 'eval',
  synopsis: 'quantgpu eval <model.onnx> --dataset <data> [--runtime gpu|ort|ort-fakequant] [--start N] [--limit N]',
  summary: 'Measures accuracy (CIFAR-10 top-1, or COCO mAP and AP50) and images per second.',
  options: {
    dataset: { value: 'data', help: 'a CIFAR-10 .bin, a COCO instances*.json (images beside it), or a folder holding one' },
    runtime: { value: 'name', help: 'gpu (quantgpu, default) | ort (onnxruntime-node) | ort-fakequant (ort, every Q/DQ computed)' },
    start: { value: 'N', help: 'first image (default 0)' },
    limit: { value: 'N', help: 'number of images (default: all)' },
    batch: { value: 'N', help: 'classifier batch size (default 50)' },
    pixels: { value: 'name', help: `input preprocessing: ${PIXELS.join('|')} (default: from the model or its .config.json)` },
  },
  notes: 'exit codes: 0 ok, 1 evaluation failed, 2 wrong arguments',
};

/** A runner by name; the GPU one is planned for `inputShapes`. */
export async function openRunner(kind: string, bytes: Uint8Array, inputShapes: Record<string, number[]>): Promise<Runner> {
  if (kind === 'gpu') return gpuRunner(bytes, inputShapes);
  if (kind === 'ort') return ortRunner(bytes, 'all');
  if (kind === 'ort-fakequant') return ortRunner(bytes, 'disabled');
  throw new UsageError(`--runtime must be one of ${RUNTIMES.join(', ')}; got '${kind}'`);
}

/** A dataset named by `option`; a missing or unrecognised path is a `UsageError` that says what is accepted. */
export function openDatasetArg(option: string, path: string): Dataset {
  if (!existsSync(path)) throw new UsageError(`${option} ${path}: no such file or directory`);
  try {
    return openDataset(path);
  } catch (e) {
    throw new UsageError(`${option} ${path}: ${(e as Error).message.replace(/^dataset: /, '')} ` +
      '(expected a CIFAR-10 .bin, a COCO instances*.json, or a folder holding one)');
  }
}

export async function evalCommand(argv: string[]): Promise<void> {
  const a = parseCommand(EVAL, argv);
  if (a.help) return void process.stdout.write(helpText(EVAL));
  const path = a.positionals[0];
  const bytes = readModelFile(path, 'eval');
  const dataPath = flag(a, 'dataset');
  if (!dataPath) throw new UsageError("eval: missing --dataset <data> (run 'quantgpu eval --help')");
  const runtime = choiceFlag(a, 'runtime', RUNTIMES, 'gpu');
  const pixelsArg = flag(a, 'pixels') === undefined ? undefined : choiceFlag(a, 'pixels', PIXELS, 'raw');
  const data = openDatasetArg('--dataset', dataPath);
  const start = numberFlag(a, 'start', 0, { integer: true, min: 0 });
  const end = Math.min(datasetSize(data), start + numberFlag(a, 'limit', datasetSize(data), { integer: true, min: 1 }));
  if (end <= start) throw new UsageError(`--start ${start}: ${dataPath} holds only ${datasetSize(data)} images`);
  const batch = numberFlag(a, 'batch', 50, { integer: true, min: 1 });
  const profile = modelProfile(load(bytes), path!, (pixelsArg ?? sidecarPixels(path!)) as PixelsName | undefined);
  const shape = profile.task === 'classify' ? [batch, 3, 32, 32] : [1, 3, profile.decoder!.inputSize![1], profile.decoder!.inputSize![0]];
  say(`eval: ${path} on images [${start}, ${end}) of ${dataPath} (${runtime})`);
  const runner = await openRunner(runtime, bytes, { [profile.input]: shape });
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
