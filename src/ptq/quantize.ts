/**
 * quantize(model, calibrationData, options): float ONNX model -> QDQ ONNX model (int8, int4 or mixed), plus the
 * runtime's per-layer config and, for mixed precision, a sensitivity report.
 *
 *   float graph (BN-folded, standard ops) -> [CLE] -> calibrate (one pass: activation observers, input means)
 *   -> ['auto': per-tensor ranges] -> weights per channel (int8 | int4; int4 learned by GPTQ, layer by layer)
 *   -> [mixed: sensitivity, search against the budget] -> bias correction -> Q/DQ -> save (opset 13, or 21 with int4)
 *
 * Mixed-precision budget (the same default in the CLI and docs/ptq.md): `maxDrop` points of accuracy below FP32
 * on a held-out labeled slice when the caller can measure accuracy (`accuracy`), else output SQNR of at least
 * `minSqnrDb` dB against FP32 (DEFAULT_MIN_SQNR_DB).
 */
import type { ObserverMethod, ObserverOptions, WeightMethod } from '../quant/index.ts';
import type { Graph } from '../runtime/ir.ts';
import { load } from '../runtime/onnx/load.ts';
import { save } from '../runtime/onnx/save.ts';
import { simplify } from '../runtime/passes/index.ts';
import type { PrecisionConfig } from '../runtime/precision.ts';
import { buildQdq, type BuildOptions, layerInputs, precisionConfig, uniformBits, type LayerBits } from './build.ts';
import { calibrate, type CalibrationSet, type CalibrationStats } from './calibrate.ts';
import { crossLayerEqualize } from './cle.ts';
import { cloneGraph } from './graph.ts';
import { learnRounding } from './learn.ts';
import { searchMixed, type MixedResult } from './mixed.ts';
import { activationsToQuantize } from './qdq.ts';
import { sensitivitySvg, sensitivityTable } from './report.ts';
import { layerSensitivity, outputSqnr, referenceOutputs, type GraphRunner, type LayerSensitivity } from './sensitivity.ts';
import { sequentialRanges } from './ranges.ts';
import { selectActivations, type Selection } from './select.ts';
import { weightBytes } from './weights.ts';
import { gpuSource, ortSource, type SourceFactory, type Tensors } from './source.ts';

export type WeightMode = 'int8' | 'int4' | 'mixed';

export interface QuantizeOptions {
  /**
   * Activation calibration: 'minmax' | 'percentile' | 'entropy' (default) | 'mse', or 'auto': per tensor the
   * range of the four with the best single-tensor output SQNR, plus the float fallback (select.ts).
   */
  method?: ObserverMethod | 'auto';
  /** 'auto': tensors whose best single-tensor output SQNR is below this (dB) keep their layers float (default 20). */
  floatBelowDb?: number;
  observer?: ObserverOptions;
  weights?: WeightMode;
  /** Weight ranges: 'minmax' (default) or 'mse'. */
  weightMethod?: WeightMethod;
  biasCorrection?: boolean;
  /** Cross-layer equalization: 'relu' (exact: ReLU / identity pairs), 'silu' (also SiLU pairs, approximate), false. */
  cle?: false | 'relu' | 'silu';
  /**
   * Mixed: allowed accuracy drop (points) below FP32, measured by `accuracy` (default 1 when `accuracy` is given).
   */
  maxDrop?: number;
  /**
   * Mixed: a size budget instead: the weights at least this many times smaller than FP32's (`weightBytes`), with
   * the fewest int4 layers (in sensitivity order) that get there. The score at that size is measured and reported;
   * `maxDrop`, when also given, is then a check: a result that misses it is an error.
   */
  minRatio?: number;
  /** Accuracy in points (top-1 %, or mAP x 100) of a graph on a held-out labeled slice; enables `maxDrop`. */
  accuracy?: (g: Graph) => Promise<number>;
  /** Mixed without `accuracy`: the output SQNR (dB, against FP32) to keep. Default DEFAULT_MIN_SQNR_DB. */
  minSqnrDb?: number;
  /** Int4 weight rounding: 'gptq' (learned, default) or 'nearest'. */
  rounding?: 'gptq' | 'nearest';
  /**
   * Int8 weight rounding: 'nearest' (default) or 'gptq' (learned like int4, layer by layer; measured on YOLOX-nano
   * W8A8 in docs/ptq.md, fifth round).
   */
  int8Rounding?: 'gptq' | 'nearest';
  /** Runs the partly quantized model for learned rounding (default: the fake-quant simulation, `simulate`). */
  learnSource?: GraphRunner;
  /**
   * Learned rounding: what each layer reproduces, 'quantized' (GPTQ: its own output on its quantized inputs) or
   * 'float' (the float model's layer output, also making up for the layers before it; learn.ts). Default 'quantized'.
   */
  learnTarget?: 'quantized' | 'float' | 'float-bias';
  /**
   * Activation ranges: 'float' (default: from the float model's calibration pass) or 'sequential' (wave by wave on
   * the values the partly quantized model produces, run by `learnSource`: ranges.ts; with 'auto' each tensor's
   * calibrator is chosen again there, by output SQNR on top of the earlier waves; `selection` then reports those).
   */
  ranges?: 'float' | 'sequential';
  /** Sequential ranges: consecutive waves observed in one model run (default 1, exact; ranges.ts). */
  rangeWavesPerRun?: number;
  /** Learned rounding: consecutive waves read from one model run (default 1, exact; learn.ts, `wavesPerRun`). */
  learnWavesPerRun?: number;
  /** Learned rounding: multiply-adds per layer for its Hessian, all batches together (learn.ts `hessianBudget`). */
  learnHessianBudget?: number;
  /** int4 and mixed: let the first and last layers take int4 too (default: they stay int8; small and sensitive). */
  quantizeEnds?: boolean;
  /** Mixed: calibration batches used for sensitivity and the search (default 2). */
  searchBatches?: number;
  /**
   * Selection, sensitivity and search: at most this many images (batches are cut along axis 0; default 32). The
   * cost of 'auto' and mixed is one (suffix) model run per measured configuration, so this sets their speed
   * (docs/ptq.md, speed).
   */
  searchImages?: number;
  /** Runs the float model for calibration (default: the GPU runtime). */
  source?: SourceFactory;
  /** Runs QDQ graphs for sensitivity / search (default: onnxruntime-node fake quant). */
  simulate?: GraphRunner;
  onProgress?: (stage: ProgressStage, done: number, total: number, note?: string) => void;
}

export type ProgressStage = 'calibrate' | 'select' | 'ranges' | 'learn' | 'sensitivity' | 'search';

/** Mixed without labels: keep the output SQNR against FP32 at or above this (dB). */
export const DEFAULT_MIN_SQNR_DB = 20;

/** The calibrators 'auto' chooses from per tensor. */
export const AUTO_METHODS: readonly ObserverMethod[] = ['minmax', 'percentile', 'entropy', 'mse'];

export interface QuantizeResult {
  bytes: Uint8Array;
  graph: Graph;
  config: PrecisionConfig;
  bits: LayerBits;
  sensitivity?: LayerSensitivity[];
  mixed?: MixedResult;
  /** 'auto' only: the per-tensor choices. */
  selection?: Selection;
  /** Markdown table and SVG chart (mixed only). */
  report?: { markdown: string; svg: string };
}

/** Every layer int4 except, unless `ends`, the first and last quantizable layers (int8). */
export function int4Bits(g: Graph, ends = false): LayerBits {
  const bits = uniformBits(g, 4);
  const names = [...bits.keys()];
  if (!ends && names.length > 2) for (const n of [names[0], names[names.length - 1]]) bits.set(n, 8);
  return bits;
}

/** The first `maxBatches` batches of `data`, cut to `maxImages` images in all (axis 0 of every feed). */
export async function searchSet(data: CalibrationSet, maxBatches: number, maxImages: number): Promise<Tensors[]> {
  const out: Tensors[] = [];
  let images = 0;
  for (let b = 0; b < Math.min(data.count, maxBatches) && images < maxImages; b++) {
    const feeds = await data.batch(b);
    const n = Object.values(feeds)[0].dims[0];
    const keep = Math.min(n, maxImages - images);
    out.push(keep === n ? feeds : Object.fromEntries(Object.entries(feeds).map(([k, v]) =>
      [k, { dims: [keep, ...v.dims.slice(1)], data: v.data.slice(0, (v.data.length / n) * keep) }])));
    images += keep;
  }
  return out;
}

/** Simulation runner: onnxruntime-node with graph optimizations disabled (Q and DQ computed in float). */
export const fakeQuantRunner: GraphRunner = (g) => ortSource(g, { optimization: 'disabled', spin: false });

/** The float graph the quantizer works on: the model as loaded (BN already folded in the supported models). */
export function floatGraph(model: Uint8Array | Graph): Graph {
  // Constants folded and BatchNormalization folded into its conv first: a Q/DQ pair between a conv and its BN
  // would keep the BN as float arithmetic on dequantized values in every runtime.
  return simplify(model instanceof Uint8Array ? load(model) : cloneGraph(model));
}

/** Calibration pass over `data` for the given methods (exposed so one pass can serve several builds). */
export async function calibrateGraph(g: Graph, data: CalibrationSet, methods: ObserverMethod[], opts: Pick<QuantizeOptions, 'source' | 'observer' | 'onProgress'> = {}): Promise<CalibrationStats> {
  const first = await data.batch(0);
  const shapes = Object.fromEntries(Object.entries(first).map(([k, v]) => [k, v.dims]));
  const source = await (opts.source ?? gpuSource)(g, shapes);
  try {
    return await calibrate(source, activationsToQuantize(g), data, {
      methods, observer: opts.observer, means: layerInputs(g),
      onProgress: (d, t) => opts.onProgress?.('calibrate', d, t),
    });
  } finally {
    await source.dispose();
  }
}

export async function quantize(model: Uint8Array | Graph, data: CalibrationSet, opts: QuantizeOptions = {}): Promise<QuantizeResult> {
  const g = floatGraph(model);
  if (opts.cle) crossLayerEqualize(g, { silu: opts.cle === 'silu' });
  const auto = opts.method === 'auto';
  const method: ObserverMethod = opts.method === 'auto' || !opts.method ? 'entropy' : opts.method;
  const stats = await calibrateGraph(g, data, auto ? [...AUTO_METHODS] : [...new Set<ObserverMethod>([method, 'minmax'])], opts);
  const run = opts.simulate ?? fakeQuantRunner;
  const batches = await searchSet(data, opts.searchBatches ?? 2, opts.searchImages ?? 32);
  const selection = auto
    ? await selectActivations(g, stats, batches, run, { methods: [...AUTO_METHODS], floatBelowDb: opts.floatBelowDb, onProgress: (d, t, n) => opts.onProgress?.('select', d, t, n) })
    : undefined;
  const floatLayers = selection?.floatLayers ?? new Set<string>();
  const build: BuildOptions = { method, weightMethod: opts.weightMethod, biasCorrection: opts.biasCorrection, activations: selection?.params };
  const mode = opts.weights ?? 'int8';
  const withoutFloat = (b: LayerBits): LayerBits => new Map([...b].filter(([n]) => !floatLayers.has(n)));
  const learnBits = [...(opts.rounding ?? 'gptq') === 'gptq' ? [4 as const] : [], ...opts.int8Rounding === 'gptq' ? [8 as const] : []];
  const learn = async (b: LayerBits, note: string): Promise<void> => {
    if (![...b.values()].some((x) => learnBits.includes(x as 4 | 8))) return;
    build.learned = await learnRounding(g, stats, b, { ...build, learned: undefined }, data, {
      source: opts.learnSource ?? run, target: opts.learnTarget, bits: learnBits, wavesPerRun: opts.learnWavesPerRun, hessianBudget: opts.learnHessianBudget, onProgress: (d, t, n) => opts.onProgress?.('learn', d, t, `${note}: ${n}`),
    });
  };
  // Sequential ranges (before learning: learned rounding then sees its inputs at these ranges).
  const methods = new Map<string, ObserverMethod>(selection?.choices.map((c) => [c.name, c.method]));
  const decideRanges = async (b: LayerBits, note: string): Promise<void> => {
    if (opts.ranges !== 'sequential') return;
    const r = await sequentialRanges(g, stats, b, build, data, {
      source: opts.learnSource ?? run, methods, observer: opts.observer, wavesPerRun: opts.rangeWavesPerRun,
      select: auto ? { methods: [...AUTO_METHODS], batches, run } : undefined,
      onProgress: (d, t, n) => opts.onProgress?.('ranges', d, t, `${note}: ${n}`),
    });
    build.activations = r.params;
    if (selection) for (const c of selection.choices) {
      const s = r.choices.get(c.name);
      if (s) Object.assign(c, { method: s.method, params: r.params.get(c.name)!, sqnr: s.sqnr });
    }
  };
  let bits = withoutFloat(mode === 'int4' ? int4Bits(g, opts.quantizeEnds) : uniformBits(g, 8));
  if (mode !== 'mixed') await decideRanges(bits, mode === 'int4' ? 'all int4' : 'all int8');
  let sensitivity: LayerSensitivity[] | undefined;
  let mixed: MixedResult | undefined;
  let report: QuantizeResult['report'];
  if (mode === 'int4') await learn(bits, 'all int4');
  if (mode === 'int8') await learn(bits, 'all int8');
  if (mode === 'mixed') {
    const all8 = withoutFloat(uniformBits(g, 8));
    // Learned int4 weights first (every layer int4), so that sensitivity and search see what int4 will be.
    await learn(new Map([...all8].map(([n]) => [n, 4])), 'all int4');
    sensitivity = await layerSensitivity(g, stats, batches, run, build, (d, t, n) => opts.onProgress?.('sensitivity', d, t, n));
    const byAccuracy = opts.accuracy !== undefined;
    const bySize = opts.minRatio !== undefined;
    // With a size budget the score is only checked when a budget for it is given explicitly.
    const floor = byAccuracy ? opts.maxDrop ?? (bySize ? undefined : 1) : opts.minSqnrDb ?? (bySize ? undefined : DEFAULT_MIN_SQNR_DB);
    const fp32 = byAccuracy ? await opts.accuracy!(g) : undefined;
    const target = floor === undefined ? -Infinity : byAccuracy ? fp32! - floor : floor;
    const reference = byAccuracy ? [] : await referenceOutputs(run, g, batches);
    const configure = (int4: Set<string>): LayerBits => new Map([...all8].map(([n, b]) => [n, int4.has(n) ? 4 : b]));
    let step = 0;
    const unit = byAccuracy ? 'points' : 'dB';
    mixed = await searchMixed(sensitivity, {
      target,
      quantizeEnds: opts.quantizeEnds,
      measure: (int4) => {
        const q = buildQdq(g, stats, configure(int4), build);
        return byAccuracy ? opts.accuracy!(q) : outputSqnr(run, q, batches, reference);
      },
      size: bySize ? { limit: weightBytes(g) / opts.minRatio!, bytes: (int4) => weightBytes(buildQdq(g, stats, configure(int4), { ...build, biasCorrection: false })) } : undefined,
      onStep: (k, v) => opts.onProgress?.('search', ++step, step + 1, `${k} int4 layers: ${v.toFixed(2)} ${unit} (target ${target.toFixed(2)})`),
    });
    if (!mixed.met) {
      throw new Error(`mixed: at ${opts.minRatio}x smaller (${mixed.int4.size} int4 layers) the ${byAccuracy ? 'held-out accuracy' : 'output SQNR'} is ` +
        `${mixed.sqnrDb.toFixed(2)} ${unit}, under the target ${target.toFixed(2)}${byAccuracy ? ` (FP32 ${fp32!.toFixed(2)} - ${floor})` : ''}; ` +
        `all-int8 ${mixed.baselineDb.toFixed(2)}: lower the ratio, or drop the accuracy budget to get this model and its report`);
    }
    bits = configure(mixed.int4);
    await decideRanges(bits, 'final');
    // The layers before each int4 layer changed (some stay int8): learn the final configuration's inputs again.
    await learn(bits, 'final');
    report = { markdown: sensitivityTable(sensitivity, mixed, unit), svg: sensitivitySvg(sensitivity, mixed) };
  }
  const graph = buildQdq(g, stats, bits, build);
  return { bytes: save(graph), graph, config: precisionConfig(g, bits), bits, sensitivity, mixed, selection, report };
}
