/**
 * `quantgpu quantize`: post-training quantization of a float ONNX model to a QDQ model.
 * Writes the QDQ model, its per-layer config with the declared preprocessing (`<out>.config.json`, which eval, run,
 * inspect and the browser helper read) and for mixed a report (`<out>.report.md/.svg`).
 */
import { writeFileSync } from 'node:fs';
import type { ObserverMethod, WeightMethod } from '../quant/index.ts';
import { load } from '../runtime/onnx/load.ts';
import { evenlySpaced } from '../eval/image-folder.ts';
import { describePreprocess } from '../pre/spec.ts';
import { calibrationFrom, datasetSize } from '../ptq/datasets.ts';
import { DecodeStats } from '../ptq/image-batches.ts';
import { quantize, type WeightMode } from '../ptq/quantize.ts';
import { selectionTable } from '../ptq/select.ts';
import { gpuSource, ortSource } from '../ptq/source.ts';
import { weightBytes } from '../ptq/weights.ts';
import { type CommandSpec, choiceFlag, flag, has, helpText, numberFlag, parseCommand, UsageError } from './args.ts';
import { openDatasetArg } from './eval.ts';
import { checkWritableFile, readModelFile } from './files.ts';
import { PREPROCESS_CLI_OPTIONS, profileFromCli } from './preprocess-flags.ts';
import { heartbeat, progressBar, say } from './progress.ts';

const METHODS = ['minmax', 'percentile', 'entropy', 'mse', 'auto'] as const;
const WEIGHTS = ['int8', 'int4', 'mixed'] as const;

// One option per line, so that branches adding options merge cleanly.
export const QUANTIZE: CommandSpec = {
  name: 'quantize',
  synopsis: 'quantgpu quantize <model.onnx> --calib <data> -o <out.onnx> [options]',
  summary: 'Calibrates int8 activations on sample images and writes a QDQ model (w8a8, or int4/mixed weights with int8\n' +
    'activations) that `quantgpu run` and onnxruntime both run.',
  options: {
    calib: { value: 'data', help: 'calibration images: a folder of JPEG/PNG/WebP (recursive), a .txt list of images,\n.npy batches already preprocessed, a CIFAR-10 .bin, or a COCO instances*.json (or a folder holding one)' },
    'calib-start': { value: 'N', help: 'first calibration image (default 0)' },
    'calib-limit': { value: 'N', help: 'number of calibration images (default 200, 32 for detectors); from a folder\nwithout --calib-start, spread evenly over its files' },
    out: { value: 'out.onnx', short: 'o', help: 'the QDQ model to write (its directory must exist)' },
    method: { value: 'name', help: `activation ranges: ${METHODS.join('|')} (default entropy; auto picks per tensor)` },
    weights: { value: 'name', help: `weight precision: ${WEIGHTS.join('|')} (default int8; mixed searches int4 layers)` },
    'weight-method': { value: 'name', help: 'weight ranges: minmax|mse (default minmax)' },
    budget: { value: 'dB', help: 'mixed: allowed output SQNR loss below all-int8 (default 3)' },
    'float-below': { value: 'dB', help: 'auto: keep layers float when int8 SQNR is below this' },
    cle: { value: 'mode', help: 'cross-layer equalization: relu|silu|off (default off)' },
    'no-bias-correction': { help: 'skip bias correction' },
    'quantize-ends': { help: 'also quantize the first and last layers' },
    ...PREPROCESS_CLI_OPTIONS,
    source: { value: 'name', help: 'where calibration runs the float model: gpu|ort (default gpu)' },
  },
  notes: 'Progress goes to stderr, one line per step when stderr is not a terminal.\n\n' +
    'exit codes: 0 ok, 1 quantization failed, 2 wrong arguments',
};

export async function quantizeCommand(argv: string[]): Promise<void> {
  const a = parseCommand(QUANTIZE, argv);
  if (a.help) return void process.stdout.write(helpText(QUANTIZE));
  const path = a.positionals[0];
  const bytes = readModelFile(path, 'quantize');
  const calibPath = flag(a, 'calib');
  if (!calibPath) throw new UsageError("quantize: missing --calib <data> (run 'quantgpu quantize --help')");
  const out = flag(a, 'out');
  if (!out) throw new UsageError("quantize: missing -o <out.onnx> (run 'quantgpu quantize --help')");
  checkWritableFile('--out', out);
  const method = choiceFlag(a, 'method', METHODS, 'entropy') as ObserverMethod | 'auto';
  const weights = choiceFlag(a, 'weights', WEIGHTS, 'int8', { w8: 'int8', w4: 'int4' }) as WeightMode;
  const weightMethod = choiceFlag(a, 'weight-method', ['minmax', 'mse'] as const, 'minmax') as WeightMethod;
  const cle = choiceFlag(a, 'cle', ['relu', 'silu', 'off'] as const, 'off');
  const sourceKind = choiceFlag(a, 'source', ['gpu', 'ort'] as const, 'gpu');
  const budgetDb = numberFlag(a, 'budget', 3);
  const floatBelowDb = flag(a, 'float-below') === undefined ? undefined : numberFlag(a, 'float-below', 0);
  const g = load(bytes);
  const profile = profileFromCli(g, path!, a);
  let data = openDatasetArg('--calib', calibPath);
  const limit = numberFlag(a, 'calib-limit', data.kind === 'coco' || profile.task === 'detect' ? 32 : 200, { integer: true, min: 1 });
  let sampling = 'consecutive';
  if (data.kind === 'images' && flag(a, 'calib-start') === undefined && limit < data.files.length) {
    // Folders list class by class: take images spread over the whole folder, not the first classes only.
    sampling = `evenly spaced over ${data.files.length} files`;
    data = { ...data, files: evenlySpaced(data.files, limit), labels: undefined };
  }
  const start = numberFlag(a, 'calib-start', 0, { integer: true, min: 0 });
  const end = Math.min(datasetSize(data), start + limit);
  if (end <= start) throw new UsageError(`--calib-start ${start}: ${calibPath} holds only ${datasetSize(data)} images`);
  say(`quantize: ${path}: ${g.nodes.length} nodes; calibrating on images [${start}, ${end}) of ${calibPath} (${sampling}; ${method}, ${weights} weights)`);
  if (data.kind !== 'cifar' && data.kind !== 'npy') say(`preprocessing (${profile.source}): ${describePreprocess(profile.pre)}`);
  const stats = new DecodeStats();
  const bars = { calibrate: progressBar('calibrate'), select: progressBar('select'), sensitivity: progressBar('sensitivity'), search: progressBar('search') };
  const source = sourceKind === 'ort' ? (graph: typeof g) => ortSource(graph) : gpuSource;
  let stage = 'starting';
  const stop = heartbeat(() => `quantize: still working, last step: ${stage}`);
  const r = await quantize(g, calibrationFrom(data, profile, start, end, calibrationBatch(profile), { stats }), {
    method, weights, cle: cle === 'off' ? false : cle, weightMethod,
    biasCorrection: !has(a, 'no-bias-correction'),
    budgetDb, floatBelowDb,
    quantizeEnds: has(a, 'quantize-ends'),
    source,
    onProgress: (st, d, t, note) => {
      stage = `${st} ${d}/${t}`;
      bars[st](d, t, st === 'calibrate' ? stats.note() : note);
    },
  }).finally(stop);
  say(`quantize: writing ${out}`);
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
  console.log(`${out}: ${weights} weights, ${method} activations, calibrated on images [${start}, ${end}); ` +
    `weights ${weightBytes(g)} -> ${weightBytes(r.graph)} bytes; opset ${r.graph.opset}`);
  if (stats.images) console.log(`decoded ${stats.images} images at ${stats.perSecond.toFixed(1)} images/s (decode + preprocess)`);
}

/** Images per calibration batch: 1 for detectors, else 50 for small inputs and 8 for large ones. */
function calibrationBatch(p: { inputItem: (number | undefined)[]; task: string }): number {
  if (p.task === 'detect') return 1;
  const pixels = p.inputItem.reduce<number>((a, b) => a * (b ?? 1), 1);
  return pixels <= 3 * 64 * 64 ? 50 : 8;
}
