/**
 * `quantgpu quantize <model.onnx> --calib <data> [--calib-start N] [--calib-limit N] [--method entropy|auto|...]
 *   [--float-below <dB>]
 *   [--weights int8|int4|mixed] [--weight-method minmax|mse] [--budget <dB>] [--cle relu|silu|off]
 *   [--no-bias-correction] [--source gpu|ort] -o <out.onnx>`
 * Writes the QDQ model, its per-layer config (`<out>.config.json`) and for mixed a report (`<out>.report.md/.svg`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ObserverMethod, WeightMethod } from '../quant/index.ts';
import { load } from '../runtime/onnx/load.ts';
import { calibrationFrom, datasetSize, modelProfile, openDataset, type PixelsName } from '../ptq/datasets.ts';
import { quantize, type WeightMode } from '../ptq/quantize.ts';
import { selectionTable } from '../ptq/select.ts';
import { gpuSource, ortSource } from '../ptq/source.ts';
import { weightBytes } from '../ptq/weights.ts';
import { flag, has, parseArgs } from './args.ts';
import { progressBar } from './progress.ts';

const METHODS = ['minmax', 'percentile', 'entropy', 'mse', 'auto'];

export async function quantizeCommand(argv: string[]): Promise<void> {
  const a = parseArgs(argv, ['no-bias-correction', 'quantize-ends']);
  const path = a.positionals[0];
  const calibPath = flag(a, 'calib');
  const out = flag(a, 'o') ?? flag(a, 'out');
  if (!path || !calibPath || !out) throw new Error('usage: quantgpu quantize <model.onnx> --calib <data> [--method entropy] [--weights int8|int4|mixed] [--budget dB] -o <out.onnx>');
  const method = (flag(a, 'method') ?? 'entropy') as ObserverMethod | 'auto';
  if (!METHODS.includes(method)) throw new Error(`--method must be one of ${METHODS.join('|')}, got '${method}'`);
  const weights = (flag(a, 'weights') ?? 'int8') as WeightMode;
  if (!['int8', 'int4', 'mixed'].includes(weights)) throw new Error(`--weights must be int8|int4|mixed, got '${weights}'`);
  const cle = flag(a, 'cle') ?? 'off';
  if (!['relu', 'silu', 'off'].includes(cle)) throw new Error(`--cle must be relu|silu|off, got '${cle}'`);
  const bytes = new Uint8Array(readFileSync(path));
  const g = load(bytes);
  const profile = modelProfile(g, path, flag(a, 'pixels') as PixelsName | undefined);
  const data = openDataset(calibPath);
  const start = Number(flag(a, 'calib-start') ?? 0);
  const defaultCount = data.kind === 'cifar' ? 200 : 32;
  const end = Math.min(datasetSize(data), start + Number(flag(a, 'calib-limit') ?? defaultCount));
  const bars = { calibrate: progressBar('calibrate'), select: progressBar('select'), sensitivity: progressBar('sensitivity'), search: progressBar('search') };
  const sourceKind = flag(a, 'source') ?? 'gpu';
  const source = sourceKind === 'ort' ? (graph: typeof g) => ortSource(graph) : gpuSource;
  const r = await quantize(g, calibrationFrom(data, profile, start, end), {
    method, weights, cle: cle === 'off' ? false : (cle as 'relu' | 'silu'),
    weightMethod: (flag(a, 'weight-method') ?? 'minmax') as WeightMethod,
    biasCorrection: !has(a, 'no-bias-correction'),
    budgetDb: Number(flag(a, 'budget') ?? 3),
    floatBelowDb: flag(a, 'float-below') === undefined ? undefined : Number(flag(a, 'float-below')),
    quantizeEnds: has(a, 'quantize-ends'),
    source,
    onProgress: (stage, d, t, note) => bars[stage](d, t, note),
  });
  writeFileSync(out, r.bytes);
  // The runtime reads `default` / `layers`; `ptq` records how the model was made (eval reads `pixels` from it).
  const ptq = { pixels: profile.pixels, method, weights, calibration: { data: calibPath, start, end } };
  writeFileSync(`${out}.config.json`, `${JSON.stringify({ ...r.config, ptq }, null, 2)}\n`);
  if (r.selection) writeFileSync(`${out}.select.md`, `${selectionTable(r.selection)}\n`);
  if (r.report) {
    writeFileSync(`${out}.report.md`, `${r.report.markdown}\n`);
    writeFileSync(`${out}.report.svg`, r.report.svg);
  }
  console.log(`${out}: ${weights} weights, ${method} activations, calibrated on images [${start}, ${end}); ` +
    `weights ${weightBytes(g)} -> ${weightBytes(r.graph)} bytes; opset ${r.graph.opset}`);
}
