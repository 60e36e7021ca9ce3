/**
 * Per-tensor choice of the activation range ('auto' calibration) and the float fallback, both measured on the
 * fake-quant simulation with one activation tensor quantized at a time (weights and all other tensors float):
 *
 *   for each tensor t that will get Q/DQ, for each calibrated method m (distinct ranges only):
 *     SQNR(t, m) = output SQNR of the float model with only t quantized at m's range
 *   range(t)   = the m of highest SQNR                       (noise of independent tensors adds at the output)
 *   float(t)   = max_m SQNR(t, m) < floatBelowDb and every reader of t is a Conv/Gemm/MatMul layer:
 *                those layers stay float (t keeps no Q/DQ)
 *
 * Why: one calibrator per model is a poor fit for detectors. On YOLOX-nano entropy clips some SiLU outputs that
 * min/max keeps (Mul_177's output: 17 dB with entropy, 38 dB with min/max), while min/max loses the stem.
 * And some tensors cannot be quantized per tensor at all: the output of YOLOX's first conv on raw 0..255 pixels
 * (687, read by the depthwise Conv_44) has per-channel maxima from 0.15 to 103, so any one scale leaves the small
 * channels one or two levels; alone it costs the output 9 dB (every calibrator), more than all other tensors
 * together. A depthwise conv cannot mix channels, so per-tensor scale is the only problem there; keeping that one
 * 16-channel 3x3 depthwise conv in float costs 144 weights. The default floor, 20 dB, also floats the next stem
 * depthwise conv (Conv_70, input 721 at 19 dB): YOLOX W8A8 30.8 -> 31.6 mAP (FP32 32.2). The lowest tensor of
 * ResNet-20/ResNet-8/FastestDet is above 28 dB, so it changes nothing there.
 */
import type { ObserverMethod } from '../quant/index.ts';
import type { Graph } from '../runtime/ir.ts';
import { activationParams, type CalibrationStats } from './calibrate.ts';
import { COMPUTE_OPS, consumersOf, weightSlot } from './graph.ts';
import { type ActQParams, activationsToQuantize, inputDerived, insertQdq, paramsKey } from './qdq.ts';
import type { GraphRunner } from './sensitivity.ts';
import { type SqnrMode, SuffixMeter } from './suffix.ts';
import type { Tensors } from './source.ts';

export interface TensorChoice {
  name: string;
  method: ObserverMethod;
  params: ActQParams;
  /** Output SQNR (dB) with only this tensor quantized, per method tried. */
  sqnr: Partial<Record<ObserverMethod, number>>;
  /** The tensor stays float and these layers (its readers) run in float. */
  floatLayers?: string[];
}

export interface SelectOptions {
  /** Methods to choose from; each must have been calibrated. */
  methods: ObserverMethod[];
  /** Tensors whose best single-tensor SQNR is below this (dB) keep their layers float. Default 20; -Infinity: never. */
  floatBelowDb?: number;
  /** How output noise is weighed (suffix.ts SqnrMode; default 'total'). */
  sqnr?: SqnrMode;
  onProgress?: (done: number, total: number, tensor: string) => void;
}

export interface Selection {
  /** Chosen parameters of every tensor that gets Q/DQ. */
  params: Map<string, ActQParams>;
  /** Layers kept in float by the fallback. */
  floatLayers: Set<string>;
  choices: TensorChoice[];
}

/** Runs the per-tensor measurement (methods x tensors simulated runs on `batches`). */
export async function selectActivations(g: Graph, stats: CalibrationStats, batches: Tensors[], run: GraphRunner, opts: SelectOptions): Promise<Selection> {
  // Each measurement reruns only the model downstream of the one quantized tensor (suffix.ts).
  const names = activationsToQuantize(g);
  // Progress in three steps: each calibrator's range search per tensor, the float reference, the candidates.
  const say = (done: number, total: number, note: string): void => opts.onProgress?.(done, total, note);
  const searches = opts.methods.length * names.length;
  const byMethod = opts.methods.map((m, k) =>
    [m, activationParams(stats, m, (d) => say(k * names.length + d, searches, `ranges: ${m}, tensor ${d} of ${names.length}`))] as const);
  const images = batches.reduce((a, b) => a + Object.values(b)[0].dims[0], 0);
  say(0, 1, `float reference on ${images} images`);
  const meter = await SuffixMeter.create(run, g, batches, undefined, opts.sqnr);
  const readers = consumersOf(g);
  const floor = opts.floatBelowDb ?? 20;
  const params = new Map<string, ActQParams>();
  const floatLayers = new Set<string>();
  const choices: TensorChoice[] = [];
  const raw = inputDerived(g);
  // All (tensor, distinct range) candidates first, then measured in batched suffix graphs (suffix.ts).
  const todo: { name: string; key: string; p: ActQParams }[] = [];
  for (const name of names) {
    if (raw.has(name)) continue; // min/max always (qdq.ts inputDerived)
    const keys = new Set<string>();
    for (const [m, all] of byMethod) {
      const p = all.get(name);
      if (!p) throw new Error(`selectActivations: '${name}' was not calibrated with ${m}`);
      if (!keys.has(paramsKey(p))) todo.push({ name, key: paramsKey(p), p });
      keys.add(paramsKey(p));
    }
  }
  const tensors = new Set(todo.map((c) => c.name)).size;
  const dbs = await meter.sqnrMany(todo.map((t) => insertQdq(g, { activations: new Map([[t.name, t.p]]), weights: new Map() })),
    (d, t) => say(d, t, `${d} of ${t} (tensor, range) candidates of ${tensors} tensors`));
  const measured = new Map(todo.map((t, i) => [`${t.name}|${t.key}`, dbs[i]]));
  for (const name of names) {
    if (raw.has(name)) continue;
    const sqnr: TensorChoice['sqnr'] = {};
    let best: { m: ObserverMethod; p: ActQParams; db: number } | undefined;
    for (const [m, all] of byMethod) {
      const p = all.get(name)!;
      const db = measured.get(`${name}|${paramsKey(p)}`)!;
      sqnr[m] = db;
      if (!best || db > best.db) best = { m, p, db };
    }
    const choice: TensorChoice = { name, method: best!.m, params: best!.p, sqnr };
    const users = readers.get(name) ?? [];
    if (best!.db < floor && users.length && users.every((u) => COMPUTE_OPS.has(u.opType) && weightSlot(g, u))) {
      choice.floatLayers = users.map((u) => u.name);
      choice.floatLayers.forEach((l) => floatLayers.add(l));
    }
    params.set(name, best!.p);
    choices.push(choice);
  }
  return { params, floatLayers, choices };
}

/** A Markdown table of the choices, worst tensors first (at most `limit` rows). */
export function selectionTable(s: Selection, limit = 30): string {
  const methods = [...new Set(s.choices.flatMap((c) => Object.keys(c.sqnr)))] as ObserverMethod[];
  const best = (c: TensorChoice): number => Math.max(...Object.values(c.sqnr).map((v) => v ?? -Infinity));
  const rows = [...s.choices].sort((a, b) => best(a) - best(b)).slice(0, limit).map((c) =>
    `| ${c.name} | ${methods.map((m) => (c.sqnr[m] ?? NaN).toFixed(1)).join(' | ')} | ${c.floatLayers ? `float (${c.floatLayers.join(', ')})` : c.method} |`);
  return [`| tensor | ${methods.join(' | ')} | choice |`, `|---|${methods.map(() => '---|').join('')}---|`, ...rows].join('\n');
}
