/**
 * `quantgpu quantize <model.onnx> --calib <images dir | list.txt | .npy | cifar.bin | coco> [--calib-start N] [--calib-limit N] [--method entropy|auto|...]
 *   [--float-below <dB>]
 *   [--weights int8|int4|mixed] [--weight-method minmax|mse] [--budget <dB>] [--cle relu|silu|off]
 *   [--no-bias-correction] [--source gpu|ort] -o <out.onnx>`
 *   [--pre imagenet|cifar|yolo|... and step overrides, see preprocess-flags.ts]
 * Writes the QDQ model, its per-layer config and declared preprocessing (`<out>.config.json`) and for mixed a report (`<out>.report.md/.svg`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ObserverMethod, WeightMethod } from '../quant/index.ts';
import { load } from '../runtime/onnx/load.ts';
import { describePreprocess } from '../pre/spec.ts';
import { calibrationFrom, datasetSize, openDataset } from '../ptq/datasets.ts';
import { DecodeStats } from '../ptq/image-batches.ts';
import { evenlySpaced } from '../eval/image-folder.ts';
import { quantize, type WeightMode } from '../ptq/quantize.ts';
import { selectionTable } from '../ptq/select.ts';
import { gpuSource, ortSource } from '../ptq/source.ts';
import { weightBytes } from '../ptq/weights.ts';
import { flag, has, parseArgs } from './args.ts';
import { PREPROCESS_HELP, profileFromArgs } from './preprocess-flags.ts';
import { progressBar } from './progress.ts';

const METHODS = ['minmax', 'percentile', 'entropy', 'mse', 'auto'];

export async function quantizeCommand(argv: string[]): Promise<void> {
  const a = parseArgs(argv, ['no-bias-correction', 'quantize-ends']);
  const path = a.positionals[0];
  const calibPath = flag(a, 'calib');
  const out = flag(a, 'o') ?? flag(a, 'out');
  if (!path || !calibPath || !out) throw new Error(`usage: quantgpu quantize <model.onnx> --calib <images dir | list.txt | batches.npy | cifar.bin | coco dir> [--method entropy] [--weights int8|int4|mixed] [--budget dB] -o <out.onnx>\n${PREPROCESS_HELP}`);
  const method = (flag(a, 'method') ?? 'entropy') as ObserverMethod | 'auto';
  if (!METHODS.includes(method)) throw new Error(`--method must be one of ${METHODS.join('|')}, got '${method}'`);
  const weights = (flag(a, 'weights') ?? 'int8') as WeightMode;
  if (!['int8', 'int4', 'mixed'].includes(weights)) throw new Error(`--weights must be int8|int4|mixed, got '${weights}'`);
  const cle = flag(a, 'cle') ?? 'off';
  if (!['relu', 'silu', 'off'].includes(cle)) throw new Error(`--cle must be relu|silu|off, got '${cle}'`);
  const bytes = new Uint8Array(readFileSync(path));
  const g = load(bytes);
  const profile = profileFromArgs(g, path, a);
  let data = openDataset(calibPath);
  const defaultCount = data.kind === 'coco' || profile.task === 'detect' ? 32 : 200;
  const limit = Number(flag(a, 'calib-limit') ?? defaultCount);
  let sampling = 'consecutive';
  if (data.kind === 'images' && flag(a, 'calib-start') === undefined && limit < data.files.length) {
    // Folders list class by class: take images spread over the whole folder, not the first classes only.
    sampling = `evenly spaced over ${data.files.length} files`;
    data = { ...data, files: evenlySpaced(data.files, limit), labels: undefined };
  }
  const start = Number(flag(a, 'calib-start') ?? 0);
  const end = Math.min(datasetSize(data), start + limit);
  if (!(end > start)) throw new Error(`--calib ${calibPath}: no images in [${start}, ${end}) (it holds ${datasetSize(data)})`);
  const stats = new DecodeStats();
  if (data.kind !== 'cifar' && data.kind !== 'npy') console.error(`preprocessing (${profile.source}): ${describePreprocess(profile.pre)}`);
  const bars = { calibrate: progressBar('calibrate'), select: progressBar('select'), sensitivity: progressBar('sensitivity'), search: progressBar('search') };
  const sourceKind = flag(a, 'source') ?? 'gpu';
  const source = sourceKind === 'ort' ? (graph: typeof g) => ortSource(graph) : gpuSource;
  const r = await quantize(g, calibrationFrom(data, profile, start, end, calibrationBatch(profile), { stats }), {
    method, weights, cle: cle === 'off' ? false : (cle as 'relu' | 'silu'),
    weightMethod: (flag(a, 'weight-method') ?? 'minmax') as WeightMethod,
    biasCorrection: !has(a, 'no-bias-correction'),
    budgetDb: Number(flag(a, 'budget') ?? 3),
    floatBelowDb: flag(a, 'float-below') === undefined ? undefined : Number(flag(a, 'float-below')),
    quantizeEnds: has(a, 'quantize-ends'),
    source,
    onProgress: (stage, d, t, note) => bars[stage](d, t, stage === 'calibrate' ? stats.note() : note),
  });
  writeFileSync(out, r.bytes);
  // The runtime reads `default` / `layers`; `preprocess` is the declared preprocessing that eval, run, inspect
  // and the browser helpers apply; `ptq` records how the model was made.
  const ptq = { pixels: profile.pixels, method, weights, calibration: { data: calibPath, start, end, sampling } };
  writeFileSync(`${out}.config.json`, `${JSON.stringify({ ...r.config, preprocess: profile.pre, ptq }, null, 2)}\n`);
  if (r.selection) writeFileSync(`${out}.select.md`, `${selectionTable(r.selection)}\n`);
  if (r.report) {
    writeFileSync(`${out}.report.md`, `${r.report.markdown}\n`);
    writeFileSync(`${out}.report.svg`, r.report.svg);
  }
  console.log(`${out}: ${weights} weights, ${method} activations, calibrated on images [${start}, ${end}) (${sampling}); ` +
    `weights ${weightBytes(g)} -> ${weightBytes(r.graph)} bytes; opset ${r.graph.opset}`);
  if (stats.images) console.log(`decoded ${stats.images} images at ${stats.perSecond.toFixed(1)} images/s (decode + preprocess)`);
}

/** Images per calibration batch: the model's fixed batch, else 50 for small inputs and 8 for large ones. */
function calibrationBatch(p: { inputItem: (number | undefined)[]; task: string }): number {
  if (p.task === 'detect') return 1;
  const pixels = p.inputItem.reduce<number>((a, b) => a * (b ?? 1), 1);
  return pixels <= 3 * 64 * 64 ? 50 : 8;
}
