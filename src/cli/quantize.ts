/**
 * `quantgpu quantize`: post-training quantization of a float ONNX model to a QDQ model.
 * Writes the QDQ model, its per-layer config with the declared preprocessing (`<out>.config.json`, which eval, run,
 * inspect and the browser helper read) and for mixed a report (`<out>.report.md/.svg`).
 *
 * Mixed budget (default, as in docs/ptq.md): when the calibration data have labels (CIFAR, COCO, ImageFolder),
 * `--max-drop 1`: at most 1 point of accuracy below FP32 in the fake-quant simulation on the last `--holdout`
 * images of the calibration range (default: half of it for classifiers, a quarter for detectors), which are then
 * not used for ranges or rounding. Without labels, or with `--min-sqnr <dB>`: the output SQNR against FP32 stays
 * at or above that (default DEFAULT_MIN_SQNR_DB = 20). `--min-ratio R` is a size budget instead: the weights at least R
 * times smaller than FP32's with the fewest int4 layers; the held-out accuracy (or SQNR) at that size is measured
 * and printed, and checked only against a `--max-drop` / `--min-sqnr` given explicitly.
 */
import { writeFileSync } from 'node:fs';
import type { ObserverMethod, WeightMethod } from '../quant/index.ts';
import { load } from '../runtime/onnx/load.ts';
import { evenlySpaced } from '../eval/image-folder.ts';
import { describePreprocess } from '../pre/spec.ts';
import { calibrationFrom, datasetSize } from '../ptq/datasets.ts';
import { DecodeStats } from '../ptq/image-batches.ts';
import { evaluate, ortRunner } from '../ptq/evaluate.ts';
import { DEFAULT_MIN_SQNR_DB, quantize, type WeightMode } from '../ptq/quantize.ts';
import { save } from '../runtime/onnx/save.ts';
import { selectionTable } from '../ptq/select.ts';
import { gpuRuntimeSource, gpuSource, ortSource } from '../ptq/source.ts';
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
    'max-drop': { value: 'points', help: 'mixed: accuracy allowed below FP32 on held-out labeled calibration images (default 1)' },
    holdout: { value: 'N', help: 'mixed: calibration images held out to measure --max-drop (default half for classifiers, a quarter for detectors)' },
    'min-ratio': { value: 'R', help: 'mixed: size budget instead: weights at least R times smaller than FP32 (the accuracy\nat that size is measured and reported; checked only against an explicit --max-drop / --min-sqnr)' },
    'min-sqnr': { value: 'dB', help: `mixed, without labels or instead of --max-drop: output SQNR to keep against FP32 (default ${DEFAULT_MIN_SQNR_DB})` },
    rounding: { value: 'name', help: 'int4 weight rounding: gptq|nearest (default gptq: learned, layer by layer)' },
    'int8-rounding': { value: 'name', help: 'int8 weight rounding: nearest|gptq (default nearest)' },
    'learn-target': { value: 'name', help: 'gptq: what each layer reproduces: quantized (its own output on its quantized\ninputs; default) | float (the float model\'s layer output: also makes up for the layers before it) |\nfloat-bias (GPTQ, and each bias set so the output mean equals the float layer\'s)' },
    'learn-chunk': { value: 'K', help: 'gptq: consecutive waves of layers read from one model run (default 1: exact; more is faster,\na layer then sees its predecessors in the chunk rounded to nearest; quantized target only)' },
    'learn-source': { value: 'name', help: 'gptq and --ranges sequential: run the partly quantized model on sim|gpu (the GPU\nruntime, fused as deployed; default sim)' },
    ranges: { value: 'name', help: 'activation ranges from the float model (float; default) or sequential: wave by wave on what\nthe partly quantized model produces (one model run per wave over the calibration images)' },
    'ranges-chunk': { value: 'K', help: '--ranges sequential: consecutive waves observed in one model run (default 1: exact)' },
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
  const rounding = choiceFlag(a, 'rounding', ['gptq', 'nearest'] as const, 'gptq');
  const learnKind = choiceFlag(a, 'learn-source', ['sim', 'gpu'] as const, 'sim');
  const int8Rounding = choiceFlag(a, 'int8-rounding', ['nearest', 'gptq'] as const, 'nearest');
  const learnChunk = numberFlag(a, 'learn-chunk', 1, { integer: true, min: 1 });
  const ranges = choiceFlag(a, 'ranges', ['float', 'sequential'] as const, 'float');
  const rangesChunk = numberFlag(a, 'ranges-chunk', 1, { integer: true, min: 1 });
  if (has(a, 'ranges-chunk') && ranges !== 'sequential') throw new UsageError('--ranges-chunk is an option of --ranges sequential');
  const learnTarget = choiceFlag(a, 'learn-target', ['quantized', 'float', 'float-bias'] as const, 'quantized');
  if (learnTarget !== 'quantized' && learnChunk > 1) throw new UsageError(`--learn-target ${learnTarget} needs --learn-chunk 1 (a layer would repay an error its chunk-mate also repays)`);
  const floatBelowDb = flag(a, 'float-below') === undefined ? undefined : numberFlag(a, 'float-below', 0);
  const minRatio = has(a, 'min-ratio') ? numberFlag(a, 'min-ratio', 1, { min: 1 }) : undefined;
  if (minRatio !== undefined && weights !== 'mixed') throw new UsageError(`--min-ratio is a size budget of --weights mixed (got --weights ${weights})`);
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
  const bars = { calibrate: progressBar('calibrate'), select: progressBar('select'), ranges: progressBar('sequential ranges'), learn: progressBar('learn rounding'), sensitivity: progressBar('sensitivity'), search: progressBar('search') };
  const source = sourceKind === 'ort' ? (graph: typeof g) => ortSource(graph) : gpuSource;
  // Budget: accuracy on a held-out slice of the (labeled) calibration images, unless --min-sqnr or no labels.
  const labeled = data.kind === 'cifar' || data.kind === 'coco' || (data.kind === 'images' && !!data.labels);
  const bySqnr = has(a, 'min-sqnr') || !labeled;
  const holdout = weights === 'mixed' && !bySqnr ? numberFlag(a, 'holdout', Math.floor((end - start) / (profile.task === 'detect' ? 4 : 2)), { integer: true, min: 1 }) : 0;
  if (holdout >= end - start) throw new UsageError(`--holdout ${holdout} must leave calibration images in [${start}, ${end})`);
  const calibEnd = end - holdout;
  // With a size budget, an accuracy or SQNR floor applies only when given explicitly.
  const maxDrop = minRatio !== undefined && !has(a, 'max-drop') ? undefined : numberFlag(a, 'max-drop', 1);
  const minSqnrDb = minRatio !== undefined && !has(a, 'min-sqnr') ? undefined : numberFlag(a, 'min-sqnr', DEFAULT_MIN_SQNR_DB);
  const evalData = data;
  const accuracy = holdout > 0 ? async (q: typeof g): Promise<number> => {
    const runner = await ortRunner(save(q), 'disabled');
    try {
      const r = await evaluate(runner, evalData, profile, { start: calibEnd, end });
      return 100 * (r.top1 ?? r.mAP!);
    } finally {
      await runner.dispose();
    }
  } : undefined;
  if (weights === 'mixed') {
    const floor = accuracy ? (maxDrop === undefined ? '' : `--max-drop ${maxDrop} points below FP32 on held-out images [${calibEnd}, ${end})`)
      : (minSqnrDb === undefined ? '' : `output SQNR >= ${minSqnrDb} dB against FP32${labeled ? '' : ' (the calibration data have no labels)'}`);
    const size = minRatio === undefined ? '' : `weights >= ${minRatio}x smaller than FP32 (${accuracy ? `accuracy measured on held-out images [${calibEnd}, ${end})` : 'output SQNR measured'})`;
    say(`mixed budget: ${[size, floor].filter(Boolean).join(', checked: ')}`);
  }
  const calibSet = calibrationFrom(data, profile, start, calibEnd, calibrationBatch(profile), { stats });
  const first = await calibSet.batch(0);
  const shapes = Object.fromEntries(Object.entries(first).map(([k, v]) => [k, v.dims]));
  let stage = 'starting';
  const stop = heartbeat(() => `quantize: still working, last step: ${stage}`);
  const r = await quantize(g, calibSet, {
    method, weights, cle: cle === 'off' ? false : cle, weightMethod,
    biasCorrection: !has(a, 'no-bias-correction'),
    floatBelowDb, rounding, int8Rounding, learnTarget, learnWavesPerRun: learnChunk, learnSource: learnKind === 'gpu' ? (q) => gpuRuntimeSource(q, shapes) : undefined,
    ranges, rangeWavesPerRun: rangesChunk,
    accuracy, maxDrop, minSqnrDb, minRatio,
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
  const budget = r.mixed ? { minRatio, ...(accuracy ? { maxDrop, heldOut: [calibEnd, end] } : { minSqnrDb }) } : undefined;
  const ptq = { pixels: profile.pixels, method, weights, rounding, int8Rounding, learnTarget: weights === 'int8' && int8Rounding === 'nearest' ? undefined : learnTarget, ranges, learnSource: learnKind, budget, calibration: { data: calibPath, start, end: calibEnd, sampling } };
  writeFileSync(`${out}.config.json`, `${JSON.stringify({ ...r.config, preprocess: profile.pre, ptq }, null, 2)}\n`);
  if (r.selection) writeFileSync(`${out}.select.md`, `${selectionTable(r.selection)}\n`);
  if (r.report) {
    writeFileSync(`${out}.report.md`, `${r.report.markdown}\n`);
    writeFileSync(`${out}.report.svg`, r.report.svg);
  }
  if (r.mixed) {
    const target = r.mixed.target === -Infinity ? '' : `, target ${accuracy ? `FP32 - ${maxDrop} = ` : ''}${r.mixed.target.toFixed(accuracy ? 2 : 1)}`;
    const score = accuracy
      ? `held-out images [${calibEnd}, ${end}): accuracy ${r.mixed.sqnrDb.toFixed(2)}, all-int8 ${r.mixed.baselineDb.toFixed(2)}${target} points`
      : `output SQNR ${r.mixed.sqnrDb.toFixed(1)} dB against FP32, all-int8 ${r.mixed.baselineDb.toFixed(1)}${target} dB`;
    console.log(`mixed: moved ${r.mixed.int4.size} of ${r.sensitivity!.length} layers to int4, ${(weightBytes(g) / weightBytes(r.graph)).toFixed(2)}x smaller than FP32 (${score})`);
  }
  console.log(`${out}: ${weights} weights${weights === 'int8' ? '' : ` (${rounding} int4 rounding)`}${int8Rounding === 'gptq' ? ' (gptq int8 rounding)' : ''}, ${method} activations, calibrated on images [${start}, ${calibEnd}); ` +
    `weights ${weightBytes(g)} -> ${weightBytes(r.graph)} bytes; opset ${r.graph.opset}`);
  if (stats.images) console.log(`decoded ${stats.images} images at ${stats.perSecond.toFixed(1)} images/s (decode + preprocess)`);
}

/** Images per calibration batch: 1 for detectors, else 50 for small inputs and 8 for large ones. */
function calibrationBatch(p: { inputItem: (number | undefined)[]; task: string }): number {
  if (p.task === 'detect') return 1;
  const pixels = p.inputItem.reduce<number>((a, b) => a * (b ?? 1), 1);
  return pixels <= 3 * 64 * 64 ? 50 : 8;
}
