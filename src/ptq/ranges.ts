/**
 * Sequential activation ranges: each quantized activation's range decided on the values that the partly quantized
 * model produces, not the float model's.
 *
 *   wave 0: activations with no quantized activation upstream (the model input, the first conv's output ...)
 *   wave k: activations whose longest chain of quantized activations upstream has k members
 *   for each wave: build the QDQ model with every activation of the earlier waves quantized at its decided range
 *                  (weights as configured), this wave's and later ones float; run it over the calibration batches
 *                  through `source` and observe this wave's tensors with each tensor's calibrator; decide their ranges
 *
 * So a range fits what the quantized layers before it actually produce (their rounding, clipping and requantization
 * included), on the runtime that `source` is: `gpuRuntimeSource` reads them from the GPU runtime's own integer
 * arithmetic (fused conv + activation + requantize as deployed). With `select` ('auto') each tensor's calibrator is
 * chosen again on those values, by output SQNR on top of the earlier waves; without it each tensor keeps its own
 * (the KL search is not stable under small changes of its histogram: docs/ptq.md, sixth round). Input-derived
 * tensors (qdq.ts `inputDerived`) keep their min/max range: quantization upstream cannot change them.
 *
 * `wavesPerRun` > 1 observes several consecutive waves in one run: a tensor then sees its predecessors of the same
 * chunk in float (one run per chunk instead of one per wave).
 */
import { createObserver, type ObserverMethod, type ObserverOptions } from '../quant/index.ts';
import type { Graph } from '../runtime/ir.ts';
import { buildQdq, quantizedActivations, type BuildOptions, type LayerBits } from './build.ts';
import { type CalibrationSet, type CalibrationStats, observerParams } from './calibrate.ts';
import { type ActQParams, inputDerived, paramsKey } from './qdq.ts';
import type { GraphRunner } from './sensitivity.ts';
import type { Tensors } from './source.ts';
import { referenceOutputs, SuffixMeter } from './suffix.ts';

export interface SequentialRangeOptions {
  /**
   * Choose each tensor's calibrator again on the partly quantized model ('auto', as select.ts does on the float
   * model): every method of `methods` observes the wave's tensors; each distinct range is measured by the output
   * SQNR against the float model (on `batches`, run by `run`) of the model with the earlier waves and this one
   * tensor quantized; the best is kept. Without it, each tensor keeps its calibrator (`methods` map).
   */
  select?: { methods: ObserverMethod[]; batches: Tensors[]; run: GraphRunner };
  /** Runs the partly quantized QDQ graph (the simulation, or the GPU runtime as deployed). */
  source: GraphRunner;
  /** The calibrator of each tensor (default `build.method` for all). */
  methods?: ReadonlyMap<string, ObserverMethod>;
  observer?: ObserverOptions;
  /** Consecutive waves observed in one model run (default 1: exact). */
  wavesPerRun?: number;
  onProgress?: (done: number, total: number, note: string) => void;
}

/**
 * Waves of the quantized activations `names` (see the module comment), each in graph order. A graph input among
 * them is wave 0.
 */
export function activationWaves(g: Graph, names: readonly string[]): string[][] {
  const quantized = new Set(names);
  const level = new Map<string, number>();
  const waves: string[][] = [];
  const place = (v: string, inLevel: number): void => {
    if (quantized.has(v)) {
      (waves[inLevel] ??= []).push(v);
      level.set(v, inLevel + 1);
    } else level.set(v, inLevel);
  };
  for (const i of g.inputs) place(i.name, 0);
  for (const n of g.nodes) {
    const inLevel = Math.max(0, ...n.inputs.map((i) => level.get(i) ?? 0));
    for (const o of n.outputs) place(o, inLevel);
  }
  return waves.filter((w) => w?.length);
}

export interface SequentialRanges {
  /** Every non-input-derived quantized activation's parameters: pass as `build.activations`. */
  params: Map<string, ActQParams>;
  /** With `select`: each tensor's chosen calibrator and the output SQNR (dB) of each method's range. */
  choices: Map<string, { method: ObserverMethod; sqnr: Partial<Record<ObserverMethod, number>> }>;
}

/** Ranges of every activation the QDQ graph for `bits` quantizes, decided wave by wave on the partly quantized model. */
export async function sequentialRanges(g: Graph, stats: CalibrationStats, bits: LayerBits, build: BuildOptions, data: CalibrationSet, opts: SequentialRangeOptions): Promise<SequentialRanges> {
  if (data.count === 0) throw new Error('sequentialRanges: the calibration set is empty');
  const names = quantizedActivations(g, bits);
  const raw = inputDerived(g);
  // Input-derived tensors keep the float pass's min/max (buildQdq reads them from `stats` itself).
  const waves = activationWaves(g, names.filter((n) => !raw.has(n)));
  const decided = new Map<string, ActQParams>();
  const choices = new Map<string, { method: ObserverMethod; sqnr: Partial<Record<ObserverMethod, number>> }>();
  const reference = opts.select ? await referenceOutputs(opts.select.run, g, opts.select.batches) : undefined;
  const per = Math.max(1, Math.floor(opts.wavesPerRun ?? 1));
  const runs = Math.ceil(waves.length / per);
  const total = waves.reduce((a, w) => a + w.length, 0);
  for (let k = 0; k < runs; k++) {
    const chunk = waves.slice(k * per, (k + 1) * per).flat();
    const note = per === 1 ? `wave ${k + 1}/${waves.length}` : `waves ${k * per + 1}-${Math.min(waves.length, (k + 1) * per)}/${waves.length}`;
    const qg = buildQdq(g, stats, bits, { ...build, activations: decided, floatRest: true });
    const methodsOf = (n: string): ObserverMethod[] => opts.select?.methods ?? [opts.methods?.get(n) ?? build.method];
    const observers = new Map(chunk.map((n) => [n, methodsOf(n).map((m) => createObserver(m, opts.observer))]));
    const src = await opts.source(qg);
    try {
      for (let b = 0; b < data.count; b++) {
        const out = await src.run(await data.batch(b), chunk);
        for (const n of chunk) {
          const t = out[n];
          if (!t) throw new Error(`sequentialRanges: ${src.label} returned no tensor '${n}' (${note})`);
          for (const o of observers.get(n)!) o.observe(t.data);
        }
        opts.onProgress?.(decided.size, total, `${note}: batch ${b + 1}/${data.count}`);
      }
    } finally {
      await src.dispose();
    }
    const candidates = new Map(chunk.map((n) => [n, observers.get(n)!.map(observerParams)]));
    if (opts.select) {
      // Each distinct range of each tensor, measured on top of this run's model (its values fill the meter's cache).
      const meter = await SuffixMeter.create(opts.select.run, qg, opts.select.batches, reference);
      const todo = chunk.flatMap((n) => [...new Map(candidates.get(n)!.map((p) => [paramsKey(p), p])).values()].map((p) => ({ n, p })));
      const dbs = await meter.sqnrMany(todo.map(({ n, p }) => buildQdq(g, stats, bits, { ...build, activations: new Map([...decided, [n, p]]), floatRest: true })),
        (d, t) => opts.onProgress?.(decided.size, total, `${note}: ${d} of ${t} candidate ranges`));
      const db = new Map(todo.map(({ n, p }, i) => [`${n}|${paramsKey(p)}`, dbs[i]]));
      for (const n of chunk) {
        const sqnr = Object.fromEntries(opts.select.methods.map((m, k) => [m, db.get(`${n}|${paramsKey(candidates.get(n)![k])}`)!]));
        let best = 0;
        opts.select.methods.forEach((m, k) => { if (sqnr[m] > sqnr[opts.select!.methods[best]]) best = k; });
        choices.set(n, { method: opts.select.methods[best], sqnr });
        decided.set(n, candidates.get(n)![best]);
      }
    } else for (const n of chunk) decided.set(n, candidates.get(n)![0]);
    opts.onProgress?.(decided.size, total, `${note}: ${chunk.length} ranges`);
  }
  return { params: decided, choices };
}
