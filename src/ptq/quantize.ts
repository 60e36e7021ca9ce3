/**
 * quantize(model, calibrationData, options): float ONNX model -> QDQ ONNX model (int8, int4 or mixed), plus the
 * runtime's per-layer config and, for mixed precision, a sensitivity report.
 *
 *   float graph (BN-folded, standard ops) -> [CLE] -> calibrate (one pass: activation observers, input means)
 *   -> weights per channel (int8 | int4) -> bias correction -> Q/DQ -> save (opset 13, or 21 with int4)
 */
import type { ObserverMethod, ObserverOptions, WeightMethod } from '../quant/index.ts';
import type { Graph } from '../runtime/ir.ts';
import { load } from '../runtime/onnx/load.ts';
import { save } from '../runtime/onnx/save.ts';
import { simplify } from '../runtime/passes/index.ts';
import type { PrecisionConfig } from '../runtime/precision.ts';
import { buildQdq, layerInputs, precisionConfig, uniformBits, type LayerBits } from './build.ts';
import { calibrate, type CalibrationSet, type CalibrationStats } from './calibrate.ts';
import { crossLayerEqualize } from './cle.ts';
import { cloneGraph } from './graph.ts';
import { searchMixed, type MixedResult } from './mixed.ts';
import { activationsToQuantize } from './qdq.ts';
import { sensitivitySvg, sensitivityTable } from './report.ts';
import { layerSensitivity, outputSqnr, referenceOutputs, type GraphRunner, type LayerSensitivity } from './sensitivity.ts';
import { selectActivations, type Selection } from './select.ts';
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
  /** Mixed: allowed drop of output SQNR (dB) below all-int8. Default 3. */
  budgetDb?: number;
  /** Mixed: let the first and last layers take int4 too. */
  quantizeEnds?: boolean;
  /** Mixed: calibration batches used for sensitivity and the search (default 2). */
  searchBatches?: number;
  /** Runs the float model for calibration (default: the GPU runtime). */
  source?: SourceFactory;
  /** Runs QDQ graphs for sensitivity / search (default: onnxruntime-node fake quant). */
  simulate?: GraphRunner;
  onProgress?: (stage: 'calibrate' | 'select' | 'sensitivity' | 'search', done: number, total: number, note?: string) => void;
}

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

/** Simulation runner: onnxruntime-node with graph optimizations disabled (Q and DQ computed in float). */
export const fakeQuantRunner: GraphRunner = (g) => ortSource(g, { optimization: 'disabled' });

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
  const batches: Tensors[] = [];
  for (let b = 0; b < Math.min(data.count, opts.searchBatches ?? 2); b++) batches.push(await data.batch(b));
  const selection = auto
    ? await selectActivations(g, stats, batches, run, { methods: [...AUTO_METHODS], floatBelowDb: opts.floatBelowDb, onProgress: (d, t, n) => opts.onProgress?.('select', d, t, n) })
    : undefined;
  const floatLayers = selection?.floatLayers ?? new Set<string>();
  const build = { method, weightMethod: opts.weightMethod, biasCorrection: opts.biasCorrection, activations: selection?.params };
  const mode = opts.weights ?? 'int8';
  const withoutFloat = (b: LayerBits): LayerBits => new Map([...b].filter(([n]) => !floatLayers.has(n)));
  let bits = withoutFloat(uniformBits(g, mode === 'int4' ? 4 : 8));
  let sensitivity: LayerSensitivity[] | undefined;
  let mixed: MixedResult | undefined;
  let report: QuantizeResult['report'];
  if (mode === 'mixed') {
    sensitivity = await layerSensitivity(g, stats, batches, run, build, (d, t, n) => opts.onProgress?.('sensitivity', d, t, n));
    const reference = await referenceOutputs(run, g, batches);
    const all8 = withoutFloat(uniformBits(g, 8));
    let step = 0;
    mixed = await searchMixed(sensitivity, {
      budgetDb: opts.budgetDb ?? 3,
      quantizeEnds: opts.quantizeEnds,
      measure: (int4) => {
        const b = new Map(all8);
        for (const n of int4) if (b.has(n)) b.set(n, 4);
        return outputSqnr(run, buildQdq(g, stats, b, build), batches, reference);
      },
      onStep: (k, db) => opts.onProgress?.('search', ++step, step + 1, `${k} int4 layers: ${db.toFixed(1)} dB`),
    });
    bits = new Map(all8);
    for (const n of mixed.int4) if (bits.has(n)) bits.set(n, 4);
    report = { markdown: sensitivityTable(sensitivity, mixed), svg: sensitivitySvg(sensitivity, mixed) };
  }
  const graph = buildQdq(g, stats, bits, build);
  return { bytes: save(graph), graph, config: precisionConfig(g, bits), bits, sensitivity, mixed, selection, report };
}
