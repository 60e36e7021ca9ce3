/**
 * The PTQ accuracy table (issue 13): per model FP32, W8A8 with each calibrator, W4A8 round-to-nearest, W4A8
 * learned (GPTQ, learn.ts), and mixed with `--max-drop` (quantize(), as the CLI does it); accuracy, weight bytes
 * and images/s, evaluated on images disjoint from the calibration images.
 *
 *   node --import tsx --import ./scripts/raw-hook.mjs scripts/ptq-table.ts [--models resnet20,resnet8,yolox,fastestdet]
 *     [--runtime gpu|ort|ort-fakequant, or two of them: gpu,ort-fakequant] [--source gpu|ort] [--learn-source sim|gpu] [--calib-limit N] [--eval-limit N] [--search-images 32]
 *     [--max-drop points] [--cle off|relu|silu] [--no-bias-correction] [--float-below dB] [--tag name]
 *     [--methods minmax,percentile,entropy,mse,auto|none] [--low-method auto] [--no-fp32] [--no-rtn] [--no-gptq] [--no-mixed] [--out docs/ptq-results]
 *     [--save dir] [--learn-chunk K] [--hessian-budget multiply-adds] [--min-ratio R] [--learn-target quantized|float] [--w8-learn]
 *     [--ranges sequential] [--ranges-chunk K]
 *
 * `--methods`: the W8A8 rows ('auto' = per-tensor choice + float fallback, select.ts, measured in fake quant on
 * the first 2 calibration images/batches). `--low-method`: the activation ranges of the W4A8 and mixed rows.
 * W4A8 rows: every layer int4 except the first and last (int8). `--learn-source gpu`: GPTQ reads each layer's
 * inputs from the GPU runtime running the partly quantized model (gpuRuntimeSource), else from the simulation.
 * `--learn-chunk K`: GPTQ reads K consecutive waves' inputs from one model run (learn.ts `wavesPerRun`; default 1).
 * `--hessian-budget`: multiply-adds per layer Hessian over all calibration batches (learn.ts; default 8e8).
 * Mixed: calibrated on the first half of the calibration images, the budget measured (fake quant) on the second.
 * `--learn-target float`: learned rounding reproduces the float model's layer outputs (learn.ts `target`).
 * `--ranges sequential [--ranges-chunk K]`: every row's activation ranges decided wave by wave on the partly quantized
 * model run by the learn source (ranges.ts; K waves per run); 'auto' rows choose each tensor's calibrator again on
 * top of the earlier waves (`--keep-calibrators`: the float pass's choice).
 * `--w8-learn`: each W8A8 row is followed by the same model with learned int8 rounding.
 * `--min-ratio R`: the mixed row takes the size budget instead (at least R times smaller than FP32; the held-out
 * accuracy is then reported, and checked only against an explicit `--max-drop`).
 *
 * `--save dir`: each row's model bytes are also written to `dir/<model>-<config>.onnx`, so that a slow runtime (the
 * GPU runtime on SwiftShader) can evaluate the very same bytes later, one file at a time (scripts/ptq-eval.ts).
 *
 * Calibration: CIFAR-10 images [0, 200), coco128 images [0, 32). Evaluation: CIFAR-10 [200, 200 + limit) (default
 * all 800), coco128 [32, 32 + limit) (default all 96). The FP32 row uses the same evaluation images.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRunner } from '../src/cli/eval.ts';
import { flag, has, parseArgs } from '../src/cli/args.ts';
import { progressBar } from '../src/cli/progress.ts';
import { assetPath } from '../src/eval/assets.ts';
import type { ObserverMethod } from '../src/quant/index.ts';
import { save } from '../src/runtime/onnx/save.ts';
import { buildQdq, uniformBits } from '../src/ptq/build.ts';
import { calibrationFrom, datasetSize, modelProfile, openDataset } from '../src/ptq/datasets.ts';
import { evaluate } from '../src/ptq/evaluate.ts';
import { calibrateGraph, fakeQuantRunner, floatGraph, int4Bits, quantize, searchSet } from '../src/ptq/quantize.ts';
import { crossLayerEqualize } from '../src/ptq/cle.ts';
import { learnRounding } from '../src/ptq/learn.ts';
import { ortRunner } from '../src/ptq/evaluate.ts';
import { sensitivitySvg, sensitivityTable } from '../src/ptq/report.ts';
import { sequentialRanges } from '../src/ptq/ranges.ts';
import { selectActivations, selectionTable, type Selection } from '../src/ptq/select.ts';
import { gpuRuntimeSource, gpuSource, ortSource, type Tensors } from '../src/ptq/source.ts';
import { weightBytes } from '../src/ptq/weights.ts';
import type { SqnrMode } from '../src/ptq/suffix.ts';
import { ptqModel } from './ptq-models.ts';

const METHODS: ObserverMethod[] = ['minmax', 'percentile', 'entropy', 'mse'];

const a = parseArgs(process.argv.slice(2), ['no-mixed', 'no-bias-correction', 'no-rtn', 'no-fp32', 'no-gptq', 'w8-learn', 'keep-calibrators']);
const learnTarget = (flag(a, 'learn-target') ?? 'quantized') as 'quantized' | 'float' | 'float-bias';
const biasCorrection = !has(a, 'no-bias-correction');
type Method = ObserverMethod | 'auto';
const rowMethods = (flag(a, 'methods') ?? 'minmax,percentile,entropy,mse,auto').split(',').filter((m) => m && m !== 'none') as Method[];
// Whether any W4A8 / mixed row is made (they use `--low-method`).
const lowRows = !has(a, 'no-rtn') || !has(a, 'no-gptq') || !has(a, 'no-mixed');
const lowMethod = (flag(a, 'low-method') ?? 'auto') as Method;
const runtimes = (flag(a, 'runtime') ?? 'gpu').split(',');
const runtime = runtimes.join('+');
const outDir = flag(a, 'out') ?? 'docs/ptq-results';
mkdirSync(outDir, { recursive: true });
const rows: string[] = [];
/** Input dims of a calibration set's first batch (the GPU runtime plans per shape). */
const shapeCache = new Map<unknown, number[]>();
const shape0 = (c: { count: number }): number[] => shapeCache.get(c)!;
for (const key of (flag(a, 'models') ?? 'resnet20,resnet8,yolox,fastestdet').split(',')) {
  const m = ptqModel(key, 'ptq-table');
  const g = floatGraph(new Uint8Array(readFileSync(assetPath(m.file))));
  const cle = flag(a, 'cle') ?? 'off';
  if (cle !== 'off') console.error(`${key}: CLE equalized ${crossLayerEqualize(g, { silu: cle === 'silu' }).length} pairs`);
  const profile = modelProfile(g, m.file);
  const data = openDataset(assetPath(m.data));
  const calibEnd = Math.min(m.calib, Number(flag(a, 'calib-limit') ?? m.calib));
  const evalEnd = Math.min(datasetSize(data), m.calib + Number(flag(a, 'eval-limit') ?? datasetSize(data)));
  const calib = calibrationFrom(data, profile, 0, calibEnd);
  shapeCache.set(calib, Object.values(await calib.batch(0))[0].dims);
  const source = (flag(a, 'source') ?? 'gpu') === 'ort' ? (x: typeof g) => ortSource(x) : gpuSource;
  const t0 = performance.now();
  const bar = progressBar(`${key} calibrate`);
  const stats = await calibrateGraph(g, calib, METHODS, { source, onProgress: (_s, d, t) => bar(d, t) });
  console.error(`${key}: calibrated on [0, ${calibEnd}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const shape = profile.task === 'classify' ? [50, 3, 32, 32] : [1, 3, profile.decoder!.inputSize![1], profile.decoder!.inputSize![0]];
  // Each row is evaluated on every runtime of `--runtime a,b` (the same QDQ bytes); with two, the last column is
  // the difference first - second (GPU runtime minus simulation with `--runtime gpu,ort-fakequant`).
  const row = async (label: string, bytes: Uint8Array, wb: number): Promise<void> => {
    const saveDir = flag(a, 'save');
    if (saveDir) {
      mkdirSync(saveDir, { recursive: true });
      writeFileSync(join(saveDir, `${key}-${label.replace(/[^A-Za-z0-9.]+/g, '-').replace(/-+$/, '')}.onnx`), bytes);
    }
    const cells: string[] = [];
    const scores: number[] = [];
    for (const rt of runtimes) {
      let runner;
      try {
        runner = await openRunner(rt, bytes, { [profile.input]: shape });
      } catch (e) {
        // A configuration the runtime cannot plan yet is reported in the table, not hidden.
        cells.push(`not run: ${(e as Error).message.replace(/\|/g, '/')} | - | -`);
        scores.push(NaN);
        continue;
      }
      try {
        const r = await evaluate(runner, data, profile, { start: m.calib, end: evalEnd, onProgress: progressBar(`${key} ${label} (${rt})`) });
        const score = 100 * (r.task === 'classify' ? r.top1! : r.mAP!);
        scores.push(score);
        cells.push(r.task === 'classify' ? `${score.toFixed(2)} | - | ${r.fps.toFixed(1)}` : `${score.toFixed(1)} | ${(100 * r.AP50!).toFixed(1)} | ${r.fps.toFixed(1)}`);
      } finally {
        await runner.dispose();
      }
    }
    const diff = runtimes.length === 2 ? ` ${Number.isNaN(scores[0] - scores[1]) ? '-' : (scores[0] - scores[1]).toFixed(2)} |` : '';
    const line = `| ${key} | ${label} | ${m.calib}-${evalEnd - 1} | ${cells.join(' | ')} | ${wb} | ${(weightBytes(g) / wb).toFixed(2)}x |${diff}`;
    console.log(line);
    rows.push(line);
  };
  const batches: Tensors[] = await searchSet(calib, Number(flag(a, 'search-batches') ?? 2), Number(flag(a, 'search-images') ?? 32));
  let selection: Selection | undefined;
  if (rowMethods.includes('auto') || (lowRows && lowMethod === 'auto')) {
    const t1 = performance.now();
    selection = await selectActivations(g, stats, batches, fakeQuantRunner, { methods: METHODS, floatBelowDb: flag(a, 'float-below') === undefined ? undefined : Number(flag(a, 'float-below')), sqnr: flag(a, 'select-sqnr') as SqnrMode | undefined, onProgress: progressBar(`${key} select`) });
    console.error(`${key}: per-tensor selection in ${((performance.now() - t1) / 1000).toFixed(1)} s; float layers: ${[...selection.floatLayers].join(', ') || 'none'}`);
    writeFileSync(join(outDir, `${key}.select.md`), `# ${key}: single-tensor output SQNR (dB) per calibrator, worst 30\n\n${selectionTable(selection)}\n`);
  }
  // Build options and layer bits for a method ('auto': per-tensor params, float-fallback layers removed).
  const plan = (m: Method, b: 4 | 8) => {
    const bits = b === 4 ? int4Bits(g) : uniformBits(g, 8);
    if (m !== 'auto') return { bits, opts: { method: m, biasCorrection } };
    for (const l of selection!.floatLayers) bits.delete(l);
    return { bits, opts: { method: 'entropy' as ObserverMethod, activations: selection!.params, biasCorrection } };
  };
  // `--ranges sequential`: each row's activation ranges decided wave by wave on the partly quantized model (ranges.ts),
  // run by the learn source; each tensor keeps its calibrator.
  const seqRanges = flag(a, 'ranges') === 'sequential';
  const rangesChunk = Number(flag(a, 'ranges-chunk') ?? 1);
  const seqNote = seqRanges ? ` seq-ranges${rangesChunk > 1 ? ` x${rangesChunk}` : ''}` : '';
  const withRanges = async (m: Method, p: ReturnType<typeof plan>): Promise<ReturnType<typeof plan>> => {
    if (!seqRanges) return p;
    const t = performance.now();
    const methods = new Map<string, ObserverMethod>(m === 'auto' ? selection!.choices.map((c) => [c.name, c.method]) : []);
    const { params: activations } = await sequentialRanges(g, stats, p.bits, p.opts, calib, {
      source: learnOpts('ranges').source, methods, wavesPerRun: rangesChunk, onProgress: progressBar(`${key} sequential ranges ${m} (${learnKind})`),
      select: m === 'auto' && !has(a, 'keep-calibrators') ? { methods: METHODS, batches, run: fakeQuantRunner } : undefined,
    });
    console.error(`${key}: sequential ranges (${learnKind}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return { bits: p.bits, opts: { ...p.opts, activations } };
  };
  const floats = (m: Method): string => (m === 'auto' && selection!.floatLayers.size ? ` (${selection!.floatLayers.size} float)` : '');
  const learnKind = flag(a, 'learn-source') ?? 'sim';
  const chunk = Number(flag(a, 'learn-chunk') ?? 1);
  const chunkNote = `${chunk > 1 ? ` x${chunk}` : ''}${learnTarget === 'quantized' ? '' : ` ${learnTarget}-target`}`;
  const hessianBudget = flag(a, 'hessian-budget') === undefined ? undefined : Number(flag(a, 'hessian-budget'));
  const learnOpts = (what: string, bits?: (4 | 8)[]) => ({
    source: learnKind === 'gpu' ? (q: typeof g) => gpuRuntimeSource(q, { [profile.input]: shape0(calib) }) : fakeQuantRunner,
    wavesPerRun: chunk, hessianBudget, target: learnTarget, bits, onProgress: progressBar(`${key} learn ${what} (${learnKind})`),
  });
  if (!has(a, 'no-fp32')) await row('FP32', save(g), weightBytes(g));
  for (const m of rowMethods) {
    const { bits, opts } = await withRanges(m, plan(m, 8));
    const q = buildQdq(g, stats, bits, opts);
    await row(`W8A8 ${m}${floats(m)}${seqNote}`, save(q), weightBytes(q));
    if (!has(a, 'w8-learn')) continue;
    const t = performance.now();
    const learned = await learnRounding(g, stats, bits, opts, calib, learnOpts(`int8 ${m}`, [8]));
    console.error(`${key}: int8 GPTQ (${learnKind}, ${learnTarget}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const ql = buildQdq(g, stats, bits, { ...opts, learned });
    await row(`W8A8 ${m}${floats(m)}${seqNote} GPTQ-${learnKind}${chunkNote}`, save(ql), weightBytes(ql));
  }
  if (!lowRows) continue;
  const low = await withRanges(lowMethod, plan(lowMethod, 4));
  const n4 = [...low.bits.values()].filter((b) => b === 4).length;
  if (!has(a, 'no-rtn')) {
    const q4 = buildQdq(g, stats, low.bits, low.opts);
    await row(`W4A8 ${lowMethod}${floats(lowMethod)}${seqNote} nearest (${n4}/${low.bits.size} int4)`, save(q4), weightBytes(q4));
  }
  if (!has(a, 'no-gptq')) {
    const t2 = performance.now();
    const learned = await learnRounding(g, stats, low.bits, low.opts, calib, learnOpts('int4'));
    console.error(`${key}: GPTQ (${learnKind}) in ${((performance.now() - t2) / 1000).toFixed(1)} s`);
    const ql = buildQdq(g, stats, low.bits, { ...low.opts, learned });
    await row(`W4A8 ${lowMethod}${floats(lowMethod)}${seqNote} GPTQ-${learnKind}${chunkNote} (${n4}/${low.bits.size} int4)`, save(ql), weightBytes(ql));
  }
  if (has(a, 'no-mixed')) continue;
  // Mixed as the CLI makes it: calibrate on the first half of the calibration images, budget on the second half.
  const half = Math.floor(calibEnd / 2);
  const minRatio = flag(a, 'min-ratio') === undefined ? undefined : Number(flag(a, 'min-ratio'));
  const maxDrop = minRatio !== undefined && flag(a, 'max-drop') === undefined ? undefined : Number(flag(a, 'max-drop') ?? 1);
  const accuracy = async (q: typeof g): Promise<number> => {
    const runner = await ortRunner(save(q), 'disabled');
    try {
      const r = await evaluate(runner, data, profile, { start: half, end: calibEnd });
      return 100 * (r.top1 ?? r.mAP!);
    } finally {
      await runner.dispose();
    }
  };
  const bars = { calibrate: progressBar(`${key} mixed calibrate`), select: progressBar(`${key} mixed select`), ranges: progressBar(`${key} mixed ranges`), learn: progressBar(`${key} mixed learn`), sensitivity: progressBar(`${key} sensitivity`), search: progressBar(`${key} search`) };
  const t3 = performance.now();
  const mixed = await quantize(g, calibrationFrom(data, profile, 0, half), {
    method: lowMethod, weights: 'mixed', biasCorrection, source, accuracy, maxDrop, minRatio,
    learnSource: learnKind === 'gpu' ? (q) => gpuRuntimeSource(q, { [profile.input]: shape0(calib) }) : undefined, learnWavesPerRun: chunk, learnHessianBudget: hessianBudget, learnTarget,
    ranges: seqRanges ? 'sequential' : 'float', rangeWavesPerRun: rangesChunk,
    onProgress: (st, d, t, n) => bars[st](d, t, n),
  });
  console.error(`${key}: mixed quantize in ${((performance.now() - t3) / 1000).toFixed(1)} s`);
  const budget = [minRatio === undefined ? '' : `--min-ratio ${minRatio}`, maxDrop === undefined ? '' : `--max-drop ${maxDrop}`].filter(Boolean).join(' ');
  writeFileSync(join(outDir, `${key}.sensitivity${minRatio === undefined ? '' : `-r${minRatio}`}.md`), `# ${key}: per-layer sensitivity (mixed, ${budget}; held-out images [${half}, ${calibEnd}))\n\n${sensitivityTable(mixed.sensitivity!, mixed.mixed, 'points')}\n`);
  writeFileSync(join(outDir, `${key}.sensitivity${minRatio === undefined ? '' : `-r${minRatio}`}.svg`), sensitivitySvg(mixed.sensitivity!, mixed.mixed, key));
  await row(`mixed ${lowMethod}${seqNote} GPTQ-${learnKind}${chunkNote} ${mixed.mixed!.int4.size}/${mixed.sensitivity!.length} int4 (${budget}; calib 0-${half - 1}, held-out ${half}-${calibEnd - 1})`, mixed.bytes, weightBytes(mixed.graph));
}
const perRuntime = runtimes.map((r) => `${r}: top-1 % or mAP | AP50 | images/s`).join(' | ');
const header = [`| model | config | eval images | ${perRuntime} | weight bytes | vs FP32 |${runtimes.length === 2 ? ` ${runtimes[0]} - ${runtimes[1]} |` : ''}`,
  `|---|---|---|${runtimes.map(() => '---|---|---|').join('')}---|---|${runtimes.length === 2 ? '---|' : ''}`];
writeFileSync(join(outDir, `table-${runtime}-${(flag(a, "models") ?? "all").replace(/,/g, "-")}${flag(a, 'tag') ? `-${flag(a, 'tag')}` : ''}.md`), `${[...header, ...rows].join('\n')}\n`);
console.log([...header, ...rows].join('\n'));
