/**
 * `quantgpu eval`: top-1 for classifiers (CIFAR-10 binary, or an ImageFolder: one subfolder per class, classes in
 * sorted folder order or as listed by --classes), COCO mAP / AP50 for detectors (COCO JSON + images), and images per
 * second, on the GPU runtime or onnxruntime. Images get the preprocessing `quantize` recorded in
 * `<model>.config.json`, unless options say otherwise.
 */
import { existsSync } from 'node:fs';
import { describePreprocess } from '../pre/spec.ts';
import { load } from '../runtime/onnx/load.ts';
import { type Dataset, datasetSize, openDataset } from '../ptq/datasets.ts';
import { evaluate, gpuRunner, ortRunner, type Runner } from '../ptq/evaluate.ts';
import { DecodeStats } from '../ptq/image-batches.ts';
import { type CommandSpec, choiceFlag, flag, helpText, numberFlag, parseCommand, UsageError } from './args.ts';
import { readModelFile } from './files.ts';
import { PREPROCESS_CLI_OPTIONS, profileFromCli } from './preprocess-flags.ts';
import { progressBar, say } from './progress.ts';

export const RUNTIMES = ['gpu', 'ort', 'ort-fakequant'] as const;

// One option per line, so that branches adding options merge cleanly.
export const EVAL: CommandSpec = {
  name: 'eval',
  synopsis: 'quantgpu eval <model.onnx> --dataset <data> [--runtime gpu|ort|ort-fakequant] [--start N] [--limit N]',
  summary: 'Measures accuracy (top-1 on CIFAR-10 or an ImageFolder, or COCO mAP and AP50) and images per second.',
  options: {
    dataset: { value: 'data', help: 'an ImageFolder (one subfolder of JPEG/PNG/WebP per class), a CIFAR-10 .bin,\na COCO instances*.json (images beside it), or a folder holding one' },
    classes: { value: 'names.txt', help: 'ImageFolder class order: one folder name a line (default: sorted folder names)' },
    runtime: { value: 'name', help: 'gpu (quantgpu, default) | ort (onnxruntime-node) | ort-fakequant (ort, every Q/DQ computed)' },
    start: { value: 'N', help: 'first image (default 0)' },
    limit: { value: 'N', help: 'number of images (default: all)' },
    batch: { value: 'N', help: 'classifier batch size (default 50)' },
    ...PREPROCESS_CLI_OPTIONS,
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
export function openDatasetArg(option: string, path: string, classes?: string): Dataset {
  if (!existsSync(path)) throw new UsageError(`${option} ${path}: no such file or directory`);
  if (classes !== undefined && !existsSync(classes)) throw new UsageError(`--classes ${classes}: no such file`);
  try {
    return openDataset(path, { classes });
  } catch (e) {
    throw new UsageError(`${option} ${path}: ${(e as Error).message.replace(/^dataset: /, '')} ` +
      '(expected a folder of images or an ImageFolder, a .txt list of images, .npy batches, a CIFAR-10 .bin, a COCO instances*.json, or a folder holding one)');
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
  const data = openDatasetArg('--dataset', dataPath, flag(a, 'classes'));
  const start = numberFlag(a, 'start', 0, { integer: true, min: 0 });
  const end = Math.min(datasetSize(data), start + numberFlag(a, 'limit', datasetSize(data), { integer: true, min: 1 }));
  if (end <= start) throw new UsageError(`--start ${start}: ${dataPath} holds only ${datasetSize(data)} images`);
  const profile = profileFromCli(load(bytes), path!, a);
  const batch = profile.task === 'detect' ? 1 : numberFlag(a, 'batch', 50, { integer: true, min: 1 });
  const item = profile.inputItem.map((d, i) => d ?? (profile.pre.layout === 'nhwc' ? [0, 0, 3] : [3, 0, 0])[i]);
  if (item.some((d) => !d)) throw new UsageError(`eval: the model input [${profile.inputItem}] has dynamic sizes; the GPU runtime plans for fixed ones`);
  say(`eval: ${path} on images [${start}, ${end}) of ${dataPath} (${runtime})`);
  if (data.kind === 'images') {
    say(`preprocessing (${profile.source}): ${describePreprocess(profile.pre)}`);
    if (data.classes) say(`classes (${flag(a, 'classes') ?? 'sorted folder names'}): ${data.classes.map((c, i) => `${i} ${c}`).join(', ')}`);
  }
  const runner = await openRunner(runtime, bytes, { [profile.input]: [batch, ...item] });
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
