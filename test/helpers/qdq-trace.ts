/**
 * Per-tensor QDQ conformance of a whole model (issue 10's rule), without SQNR floors:
 *
 * 1. Every quantized activation (the output of a QuantizeLinear of a non-constant) is exposed as a graph output
 *    through one of its DequantizeLinear readers, and onnxruntime (graph optimizations disabled: every Q and DQ
 *    computed literally) runs the model once.
 * 2. Ours runs the same exposed model. The first exposed tensor, in topological order, that differs from
 *    onnxruntime is recorded (in LSBs of its scale, with the node that computed it).
 * 3. That tensor is overridden: the QuantizeLinear that makes it reads a new graph input fed with onnxruntime's
 *    dequantized value (Q of it reproduces onnxruntime's codes exactly), so everything downstream starts from
 *    identical inputs. Ours runs again, from 2, until no exposed tensor differs.
 *
 * Every tensor is thus compared under the inputs onnxruntime gave it: one near-tie upstream cannot snowball into a
 * downstream failure, and a real semantic difference shows where it starts. The caller checks each recorded
 * difference (<= 1 LSB on <= 0.1% of elements).
 *
 * Exposing a value as a graph output keeps it materialized, which would stop the runtime from fusing
 * conv -> Q -> DQ -> Add into one kernel; so a tensor whose only DequantizeLinear readers are Adds and whose producer
 * is a Conv (possibly through Relu/Clip) is not exposed: it lives only inside that fused kernel, and the Add's own
 * quantized output checks it.
 */
import type { Graph, Node } from '../../src/runtime/ir.ts';
import { load } from '../../src/runtime/onnx/load.ts';
import { save } from '../../src/runtime/onnx/save.ts';
import { cloneGraph, consumersOf, producersOf } from '../../src/ptq/graph.ts';
import { bytesWithOutputs } from '../../src/ptq/source.ts';
import { removeDeadNodes } from '../../src/runtime/passes/remove-dead-nodes.ts';
import { ortRun } from './ort.ts';
import { type Agreement, agreement } from './qdq-agreement.ts';

type Float = { dims: number[]; data: Float32Array };
type Feeds = Record<string, Float>;

/** A quantized activation that the trace compares. */
export interface TracePoint {
  /** The exposed DequantizeLinear output (the tensor's codes as floats). */
  name: string;
  /** The QuantizeLinear that makes the codes, and the float value it reads. */
  quantize: string;
  input: string;
  /** Op and name of the node that computes the float value (what the tensor checks). */
  producer: string;
  scale: number;
  /**
   * The largest ratio (hidden scale / this scale) over quantized tensors that feed this one's Add but are not
   * exposed (conv -> Q -> DQ -> Add, fused): a one-LSB tie there reaches this tensor checked only through it,
   * scaled by that ratio. 0 when nothing hidden feeds it.
   */
  hidden: number;
}

/**
 * The most LSBs a tensor may differ by: 1 (a float32 tie at its own rounding), or the hidden ratio rounded up
 * when a tie in a fused, unexposed inner tensor reaches it (see `TracePoint.hidden`).
 */
export function allowedLsb(p: TracePoint): number {
  return Math.max(1, Math.ceil(p.hidden - 1e-9));
}

/** One difference the trace found: the first differing tensor of one run, before it was overridden. */
export interface TraceDiff extends Agreement {
  point: TracePoint;
  /** The first few differing elements (flat index, ONNX order): ours and onnxruntime's dequantized values. */
  where: { index: number; ours: number; ref: number }[];
}

export interface TraceResult {
  points: TracePoint[];
  /** Differences in the order found (each under identical upstream tensors). Empty: bit-exact everywhere. */
  diffs: TraceDiff[];
  /** Outputs of the model (not the exposed tensors) from the first run of ours and from onnxruntime. */
  ours: Feeds;
  ref: Feeds;
  /** Runs of ours (1 + number of overrides). */
  runs: number;
}

/** Runs our runtime on model bytes and returns every graph output (ONNX dimension order, f32). */
export type RunOurs = (bytes: Uint8Array, feeds: Feeds) => Promise<Feeds>;

function dynamicValues(g: Graph): Set<string> {
  const dyn = new Set(g.inputs.map((i) => i.name));
  for (const n of g.nodes) if (n.inputs.some((i) => dyn.has(i))) n.outputs.forEach((o) => dyn.add(o));
  return dyn;
}

/** The quantized activations of a QDQ graph, in topological order (see the file comment for which are left out). */
export function tracePoints(g: Graph): TracePoint[] {
  const dyn = dynamicValues(g);
  const readers = consumersOf(g);
  const producers = producersOf(g);
  const convBehind = (value: string): boolean => {
    const p = producers.get(value);
    if (!p) return false;
    if (p.opType === 'Relu' || p.opType === 'Clip') return convBehind(p.inputs[0]);
    return p.opType === 'Conv';
  };
  const points: TracePoint[] = [];
  for (const q of g.nodes) {
    if (q.opType !== 'QuantizeLinear' || !dyn.has(q.inputs[0])) continue;
    const s = g.initializers.get(q.inputs[1]);
    if (!s || s.data.length !== 1) throw new Error(`trace: QuantizeLinear '${q.name}' of an activation has no constant per-tensor scale`);
    const dqs = (readers.get(q.outputs[0]) ?? []).filter((n) => n.opType === 'DequantizeLinear');
    const onlyAdds = (d: Node) => (readers.get(d.outputs[0]) ?? []).every((n) => n.opType === 'Add');
    const dq = dqs.find((d) => !onlyAdds(d)) ?? (convBehind(q.inputs[0]) ? undefined : dqs[0]);
    if (!dq) continue;
    const p = producers.get(q.inputs[0]);
    points.push({ name: dq.outputs[0], quantize: q.name, input: q.inputs[0], producer: p ? `${p.opType} '${p.name}'` : `input '${q.inputs[0]}'`, scale: Number(s.data[0]), hidden: 0 });
  }
  const exposed = new Set(points.map((p) => p.quantize));
  for (const point of points) {
    let p = producers.get(point.input);
    while (p && (p.opType === 'Relu' || p.opType === 'Clip')) p = producers.get(p.inputs[0]);
    if (p?.opType !== 'Add') continue;
    for (const x of p.inputs) {
      const dq = producers.get(x);
      const q = dq?.opType === 'DequantizeLinear' ? producers.get(dq.inputs[0]) : undefined;
      if (q?.opType !== 'QuantizeLinear' || exposed.has(q.name)) continue;
      const hs = g.initializers.get(q.inputs[1]);
      if (hs) point.hidden = Math.max(point.hidden, Number(hs.data[0]) / point.scale);
    }
  }
  return points;
}

/** `g` with `exposed` as extra float outputs (shapes as onnxruntime gave them) and the given Q inputs overridden. */
function oursModel(g: Graph, exposed: Feeds, overrides: Map<string, { point: TracePoint; value: Float }>): Uint8Array {
  const c = cloneGraph(g);
  for (const [name, t] of Object.entries(exposed)) {
    if (!c.outputs.some((o) => o.name === name)) c.outputs.push({ name, dtype: 'float32', shape: t.dims });
  }
  for (const [input, { point, value }] of overrides) {
    const q = c.nodes.find((n) => n.name === point.quantize)!;
    q.inputs = [input, ...q.inputs.slice(1)];
    c.inputs.push({ name: input, dtype: 'float32', shape: value.dims });
  }
  return save(removeDeadNodes(c));
}

/**
 * Runs the trace (see the file comment). `maxRuns` bounds the overrides: a model that needs more fails loudly,
 * naming the tensors found so far.
 */
export async function traceQdq(model: Uint8Array, feeds: Feeds, ours: RunOurs, opts: { maxRuns?: number; log?: (line: string) => void } = {}): Promise<TraceResult> {
  const g = load(model);
  const points = tracePoints(g);
  const outputs = g.outputs.map((o) => o.name);
  const ref = await ortRun(bytesWithOutputs(g, points.map((p) => p.name)), feeds, { graphOptimizationLevel: 'disabled' });
  const exposed = Object.fromEntries(points.map((p) => [p.name, ref[p.name]]));
  const overrides = new Map<string, { point: TracePoint; value: Float }>();
  const diffs: TraceDiff[] = [];
  let first: Feeds | undefined;
  const maxRuns = opts.maxRuns ?? 64;
  for (let run = 1; ; run++) {
    const extra = Object.fromEntries([...overrides].map(([name, o]) => [name, o.value]));
    const got = await ours(oursModel(g, exposed, overrides), { ...feeds, ...extra });
    first ??= got;
    const diff = points.map((p) => ({ p, a: agreement(p.name, got[p.name].data, ref[p.name].data, p.scale) })).find((d) => d.a.off > 0);
    if (!diff) {
      return { points, diffs, runs: run, ours: pick(first, outputs), ref: pick(ref, outputs) };
    }
    const a = got[diff.p.name].data;
    const b = ref[diff.p.name].data;
    const where = [];
    for (let i = 0; i < b.length && where.length < 8; i++) if (a[i] !== b[i]) where.push({ index: i, ours: a[i], ref: b[i] });
    diffs.push({ ...diff.a, point: diff.p, where });
    opts.log?.(`run ${run}: first difference at ${describeDiff(diffs[diffs.length - 1])}`);
    if (run >= maxRuns) {
      throw new Error(`trace: still differing after ${run} runs; differences so far:\n${diffs.map(describeDiff).join('\n')}`);
    }
    // A fresh name: the original float value may have other readers, which keep reading ours.
    const input = `qg_trace_override/${diff.p.input}`;
    overrides.set(input, { point: diff.p, value: ref[diff.p.name] });
  }
}

function pick(t: Feeds, names: string[]): Feeds {
  return Object.fromEntries(names.map((n) => [n, t[n]]));
}

/** One line: tensor, computing node, max LSB, elements off, SQNR. */
export function describeDiff(d: TraceDiff): string {
  const db = Number.isFinite(d.sqnr) ? `${d.sqnr.toFixed(1)} dB` : 'exact';
  const hidden = d.point.hidden ? ` (allowed ${allowedLsb(d.point)}: a fused inner tensor of ${d.point.hidden.toFixed(2)}x its scale feeds it)` : '';
  return `${d.point.name} (from ${d.point.producer}): max ${d.maxLsb} LSB${hidden}, ${d.off}/${d.count} off (${(100 * d.offFraction).toFixed(4)}%), SQNR ${db}`;
}
