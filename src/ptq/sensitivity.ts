/**
 * Per-layer sensitivity: quantize one layer at a time (its weights at int8 or int4 and its input activation at
 * int8, everything else float), run the model on calibration batches, and measure the SQNR of the model's outputs
 * (logits, or the raw detection head) against the float model. Runs the QDQ graphs through a fake-quant source
 * (onnxruntime-node with optimizations disabled by default) or any other ActivationSource.
 */
import { sqnr } from '../quant/index.ts';
import type { Graph } from '../runtime/ir.ts';
import { buildQdq, type BuildOptions, type LayerBits } from './build.ts';
import type { CalibrationStats } from './calibrate.ts';
import { quantizableLayers, weightSlot } from './graph.ts';
import type { ActivationSource, Tensors } from './source.ts';
import { SqnrAccumulator, SuffixMeter } from './suffix.ts';

export interface LayerSensitivity {
  name: string;
  op: string;
  params: number;
  /** Output SQNR (dB) with only this layer quantized, weights int8 / int4. */
  sqnr8: number;
  sqnr4: number;
}

/** Makes a source for a (QDQ) graph: the simulation path used to score configurations. */
export type GraphRunner = (g: Graph) => Promise<ActivationSource>;

/** Output SQNR (dB) of `g` against float reference outputs over the batches: total signal over total noise. */
export async function outputSqnr(run: GraphRunner, g: Graph, batches: Tensors[], reference: Tensors[]): Promise<number> {
  const src = await run(g);
  try {
    const names = g.outputs.map((o) => o.name);
    const acc = new SqnrAccumulator();
    for (let b = 0; b < batches.length; b++) {
      const out = await src.run(batches[b], names);
      for (const n of names) acc.add(n, reference[b][n], out[n].data);
    }
    return acc.db();
  } finally {
    await src.dispose();
  }
}

/** Sensitivity of every quantizable layer (2 simulated runs per layer). */
export async function layerSensitivity(
  g: Graph, stats: CalibrationStats, batches: Tensors[], run: GraphRunner, opts: BuildOptions,
  onProgress?: (done: number, total: number, layer: string) => void,
): Promise<LayerSensitivity[]> {
  const meter = await SuffixMeter.create(run, g, batches);
  const layers = quantizableLayers(g);
  // Two configurations per layer, measured in batched suffix graphs (suffix.ts).
  const graphs = layers.flatMap((n) => ([8, 4] as const).map((bits) => buildQdq(g, stats, new Map([[n.name, bits]]) as LayerBits, opts)));
  const dbs = await meter.sqnrMany(graphs, (d, t) => onProgress?.(d, t, `${d} of ${t} configurations`));
  const out: LayerSensitivity[] = layers.map((n, k) => {
    const slot = weightSlot(g, n)!;
    const params = g.initializers.get(n.inputs[slot.input])!.data.length;
    return { name: n.name, op: n.opType, params, sqnr8: dbs[2 * k], sqnr4: dbs[2 * k + 1] };
  });
  return out;
}

export { sqnr };
export { referenceOutputs } from './suffix.ts';
