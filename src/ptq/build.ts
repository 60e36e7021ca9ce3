/**
 * From a float graph, calibration statistics and a per-layer choice of weight bits to the QDQ graph:
 * quantize weights (per channel, symmetric), correct biases, insert Q/DQ on activations.
 */
import type { ObserverMethod, WeightMethod } from '../quant/index.ts';
import type { Graph, Node } from '../runtime/ir.ts';
import type { PrecisionConfig } from '../runtime/precision.ts';
import { correctBias } from './bias-correction.ts';
import { activationParams, type CalibrationStats } from './calibrate.ts';
import { cloneGraph, quantizableLayers } from './graph.ts';
import { type ActQParams, activationsToQuantize, inputDerived, insertQdq } from './qdq.ts';
import { quantizeNodeWeight, type QuantizedWeight, type WeightBits } from './weights.ts';

/** Weight bits per layer (node name); a layer missing from the map stays float, its inputs unquantized. */
export type LayerBits = Map<string, WeightBits>;

export interface BuildOptions {
  method: ObserverMethod;
  weightMethod?: WeightMethod;
  biasCorrection?: boolean;
  /** Output opset (raised to 13, or 21 with int4). */
  opset?: number;
  /** Per-tensor activation parameters (select.ts); when set, `method` is not read for activations. */
  activations?: Map<string, ActQParams>;
  /**
   * Tensors missing from `activations` stay float (no Q/DQ) instead of failing: the partly quantized models of
   * sequential range calibration (ranges.ts).
   */
  floatRest?: boolean;
  /** Learned weights (gptq.ts via learn.ts) used instead of round-to-nearest where the layer's bits match. */
  learned?: Map<string, QuantizedWeight>;
}

/** Every layer at `bits`. */
export function uniformBits(g: Graph, bits: WeightBits): LayerBits {
  return new Map(quantizableLayers(g).map((n) => [n.name, bits]));
}

/** The conv/gemm input tensor of each quantizable layer (what bias correction needs the mean of). */
export function layerInputs(g: Graph): string[] {
  return [...new Set(quantizableLayers(g).map((n) => n.inputs[0]))];
}

/**
 * The QDQ graph for `bits`. `stats` must hold observers for `opts.method` and 'minmax' (the model input and
 * tensors copied from it keep min/max ranges: qdq.ts `inputDerived`) over `activationsToQuantize(g)` and, for bias
 * correction, means of `layerInputs(g)`.
 */
export function buildQdq(float: Graph, stats: CalibrationStats, bits: LayerBits, opts: BuildOptions): Graph {
  const g = cloneGraph(float);
  const weights = new Map<string, QuantizedWeight>();
  for (const n of quantizableLayers(g)) {
    const b = bits.get(n.name);
    if (!b) continue;
    const l = opts.learned?.get(n.name);
    const q = l && l.bits === b ? l : quantizeNodeWeight(g, n, b, opts.weightMethod ?? 'minmax');
    weights.set(n.name, q);
    const mean = stats.means.get(n.inputs[0]);
    // A weight learned against the float model carries its measured shift, which needs no input means.
    if ((opts.biasCorrection ?? true) && (mean || q.shift)) correctBias(g, n, q, mean ?? []);
  }
  const all = opts.activations ?? activationParams(stats, opts.method);
  const raw = inputDerived(g);
  // Without a min/max calibration (a single-method stats object) those tensors take `method`'s range.
  const minmax = stats.observers.has('minmax') ? activationParams(stats, 'minmax') : undefined;
  const acts = new Map<string, ActQParams>();
  for (const name of quantizedActivations(g, bits)) {
    const p = (raw.has(name) ? minmax?.get(name) : undefined) ?? all.get(name);
    if (p) acts.set(name, p);
    else if (!opts.floatRest) throw new Error(`buildQdq: activation '${name}' was not calibrated`);
  }
  return insertQdq(g, { activations: acts, weights, opset: opts.opset });
}

/** The activations the QDQ graph for `bits` quantizes (a layer missing from `bits` is float: its inputs stay float). */
export function quantizedActivations(g: Graph, bits: LayerBits): string[] {
  const skip = (n: Node): boolean => (n.opType === 'Conv' || n.opType === 'Gemm' || n.opType === 'MatMul') && !bits.has(n.name);
  return activationsToQuantize(g, skip);
}

/** The runtime's per-layer JSON config for `bits` (default int8 W8A8; int4 and float layers listed by name). */
export function precisionConfig(g: Graph, bits: LayerBits): PrecisionConfig {
  const layers: PrecisionConfig['layers'] = {};
  for (const n of quantizableLayers(g)) {
    const b = bits.get(n.name);
    if (b === 4) layers[n.name] = { weights: 'int4', activations: 'int8' };
    else if (!b) layers[n.name] = { weights: 'fp32', activations: 'fp32' };
  }
  return { default: { weights: 'int8', activations: 'int8', granularity: 'per-channel' }, layers };
}
