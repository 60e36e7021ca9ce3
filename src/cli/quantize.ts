/**
 * `quantgpu quantize <model.onnx> --calib <data> [--calib-start N] [--calib-limit N] [--method entropy|auto|...]
 *   [--float-below <dB>]
 *   [--weights int8|int4|mixed] [--weight-method minmax|mse] [--rounding gptq|nearest] [--learn-source sim|gpu]
 *   [--max-drop <points>] [--holdout N] [--min-sqnr <dB>] [--cle relu|silu|off]
 *   [--no-bias-correction] [--source gpu|ort] -o <out.onnx>`
 * Writes the QDQ model, its per-layer config (`<out>.config.json`) and for mixed a report (`<out>.report.md/.svg`).
 *
 * Mixed budget (default, as in docs/ptq.md): the calibration data have labels (CIFAR, COCO), so `--max-drop 1`:
 * at most 1 point of accuracy below FP32 in the fake-quant simulation on the last `--holdout` images of the
 * calibration range (default: half of it for CIFAR, a quarter for COCO), which are then not used for ranges or
 * rounding. `--min-sqnr <dB>` instead keeps the output SQNR against FP32 at or above that (no labels needed).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ObserverMethod, WeightMethod } from '../quant/index.ts';
import { load } from '../runtime/onnx/load.ts';
import { calibrationFrom, datasetSize, modelProfile, openDataset, type PixelsName } from '../ptq/datasets.ts';
import { evaluate, ortRunner } from '../ptq/evaluate.ts';
import { DEFAULT_MIN_SQNR_DB, quantize, type WeightMode } from '../ptq/quantize.ts';
import { save } from '../runtime/onnx/save.ts';
import { selectionTable } from '../ptq/select.ts';
import { gpuRuntimeSource, gpuSource, ortSource } from '../ptq/source.ts';
import { weightBytes } from '../ptq/weights.ts';
import { flag, has, parseArgs } from './args.ts';
import { progressBar } from './progress.ts';

const METHODS = ['minmax', 'percentile', 'entropy', 'mse', 'auto'];

export async function quantizeCommand(argv: string[]): Promise<void> {
  const a = parseArgs(argv, ['no-bias-correction', 'quantize-ends']);
  const path = a.positionals[0];
  const calibPath = flag(a, 'calib');
  const out = flag(a, 'o') ?? flag(a, 'out');
  if (!path || !calibPath || !out) throw new Error('usage: quantgpu quantize <model.onnx> --calib <data> [--method entropy] [--weights int8|int4|mixed] [--max-drop points | --min-sqnr dB] -o <out.onnx>');
  if (has(a, 'budget')) throw new Error('--budget (dB below all-int8) was replaced: use --max-drop <points> (accuracy below FP32 on held-out labeled images) or --min-sqnr <dB> (output SQNR against FP32)');
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
  const bars = { calibrate: progressBar('calibrate'), select: progressBar('select'), learn: progressBar('learn rounding'), sensitivity: progressBar('sensitivity'), search: progressBar('search') };
  const sourceKind = flag(a, 'source') ?? 'gpu';
  const source = sourceKind === 'ort' ? (graph: typeof g) => ortSource(graph) : gpuSource;
  const rounding = flag(a, 'rounding') ?? 'gptq';
  if (rounding !== 'gptq' && rounding !== 'nearest') throw new Error(`--rounding must be gptq|nearest, got '${rounding}'`);
  const learnKind = flag(a, 'learn-source') ?? 'sim';
  if (learnKind !== 'sim' && learnKind !== 'gpu') throw new Error(`--learn-source must be sim|gpu, got '${learnKind}'`);
  // Budget: accuracy on a held-out slice of the (labeled) calibration images, unless --min-sqnr is given.
  const bySqnr = has(a, 'min-sqnr');
  const holdout = weights === 'mixed' && !bySqnr ? Number(flag(a, 'holdout') ?? Math.floor((end - start) / (data.kind === 'cifar' ? 2 : 4))) : 0;
  if (!(holdout >= 0 && holdout < end - start)) throw new Error(`--holdout ${holdout} must leave calibration images in [${start}, ${end})`);
  const calibEnd = end - holdout;
  const maxDrop = Number(flag(a, 'max-drop') ?? 1);
  const accuracy = holdout > 0 ? async (q: typeof g): Promise<number> => {
    const runner = await ortRunner(save(q), 'disabled');
    try {
      const r = await evaluate(runner, data, profile, { start: calibEnd, end });
      return 100 * (r.top1 ?? r.mAP!);
    } finally {
      await runner.dispose();
    }
  } : undefined;
  const first = await calibrationFrom(data, profile, start, calibEnd).batch(0);
  const shapes = Object.fromEntries(Object.entries(first).map(([k, v]) => [k, v.dims]));
  const r = await quantize(g, calibrationFrom(data, profile, start, calibEnd), {
    method, weights, cle: cle === 'off' ? false : (cle as 'relu' | 'silu'),
    weightMethod: (flag(a, 'weight-method') ?? 'minmax') as WeightMethod,
    biasCorrection: !has(a, 'no-bias-correction'),
    rounding, learnSource: learnKind === 'gpu' ? (q) => gpuRuntimeSource(q, shapes) : undefined,
    accuracy, maxDrop, minSqnrDb: Number(flag(a, 'min-sqnr') ?? DEFAULT_MIN_SQNR_DB),
    floatBelowDb: flag(a, 'float-below') === undefined ? undefined : Number(flag(a, 'float-below')),
    quantizeEnds: has(a, 'quantize-ends'),
    source,
    onProgress: (stage, d, t, note) => bars[stage](d, t, note),
  });
  writeFileSync(out, r.bytes);
  // The runtime reads `default` / `layers`; `ptq` records how the model was made (eval reads `pixels` from it).
  const budget = r.mixed ? (accuracy ? { maxDrop, heldOut: [calibEnd, end] } : { minSqnrDb: r.mixed.target }) : undefined;
  const ptq = { pixels: profile.pixels, method, weights, rounding, budget, calibration: { data: calibPath, start, end: calibEnd } };
  writeFileSync(`${out}.config.json`, `${JSON.stringify({ ...r.config, ptq }, null, 2)}\n`);
  if (r.selection) writeFileSync(`${out}.select.md`, `${selectionTable(r.selection)}\n`);
  if (r.report) {
    writeFileSync(`${out}.report.md`, `${r.report.markdown}\n`);
    writeFileSync(`${out}.report.svg`, r.report.svg);
  }
  if (r.mixed) {
    const unit = accuracy ? 'points' : 'dB';
    console.log(`mixed: moved ${r.mixed.int4.size} of ${r.sensitivity!.length} layers to int4 ` +
      `(${accuracy ? `held-out images [${calibEnd}, ${end}): accuracy ${r.mixed.sqnrDb.toFixed(2)}, all-int8 ${r.mixed.baselineDb.toFixed(2)}, target FP32 - ${maxDrop} = ${r.mixed.target.toFixed(2)}` : `output SQNR ${r.mixed.sqnrDb.toFixed(1)} dB against FP32, all-int8 ${r.mixed.baselineDb.toFixed(1)}, target ${r.mixed.target.toFixed(1)}`} ${unit})`);
  }
  console.log(`${out}: ${weights} weights (${rounding} rounding), ${method} activations, calibrated on images [${start}, ${calibEnd}); ` +
    `weights ${weightBytes(g)} -> ${weightBytes(r.graph)} bytes; opset ${r.graph.opset}`);
}
