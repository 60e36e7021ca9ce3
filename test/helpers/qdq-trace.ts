/**
 * Per-tensor QDQ conformance of a whole model (issue 10's rule), without SQNR floors:
 *
 * 1. Every quantized activation (the output of a QuantizeLinear of a non-constant) is exposed as a graph output
 *    through one of its DequantizeLinear readers, and onnxruntime (graph optimizations disabled: every Q and DQ
 *    computed literally) runs the model once.
 * 2. Ours runs a rewritten model in which every such tensor is both computed and overridden: its QuantizeLinear
 *    writes to a new name that is read back (exposed), while the original name, which the rest of the graph reads,
 *    is made by a copy of the QuantizeLinear from a new graph input fed with onnxruntime's dequantized value (Q of
 *    it reproduces onnxruntime's codes exactly).
 *
 * So every tensor is computed by our kernels from exactly the upstream tensors onnxruntime computed, all in one
 * run: one near-tie upstream cannot snowball into a downstream failure, a real semantic difference shows where it
 * starts, and nothing depends on the random input beyond the ties themselves. This is the iterative procedure
 * "find the first differing tensor, override it with onnxruntime's value, rerun" with every override applied up
 * front (a tensor that agrees is overridden by the same codes, so overriding it changes nothing), which keeps a
 * 100-layer detector to one run instead of one per differing layer. The caller checks each difference
 * (<= 1 LSB on <= 0.1% of elements).
 *
 * Exposing a value as a graph output keeps it materialized, which would stop the runtime from fusing
 * conv -> Q -> DQ -> Add into one kernel; so a tensor whose only DequantizeLinear readers are Adds and whose producer
 * is a Conv (possibly through Relu/Clip) is not traced: it lives only inside that fused kernel, and the Add's own
 * quantized output checks it. Every other fusion (conv + activation + Q, the residual chain) sees the same
 * pattern as in the original model, since each traced QuantizeLinear still reads its producer and the graph reads
 * the same names.
 */
import type { Graph, Node } from '../../src/runtime/ir.ts';
import { load } from '../../src/runtime/onnx/load.ts';
import { save } from '../../src/runtime/onnx/save.ts';
import { cloneGraph, consumersOf, producersOf } from '../../src/ptq/graph.ts';
import { bytesWithOutputs } from '../../src/ptq/source.ts';
import { removeDeadNodes } from '../../src/runtime/passes/remove-dead-nodes.ts';
import { topoSort } from '../../src/runtime/passes/toposort.ts';
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

/** A traced tensor that differs from onnxruntime (computed from onnxruntime's upstream tensors). */
export interface TraceDiff extends Agreement {
  point: TracePoint;
  /** The first few differing elements (flat index, ONNX order): ours and onnxruntime's dequantized values. */
  where: { index: number; ours: number; ref: number }[];
}

export interface TraceResult {
  points: TracePoint[];
  /** Every traced tensor that differs, in topological order. Empty: bit-exact everywhere. */
  diffs: TraceDiff[];
  /** Every traced tensor's agreement, in topological order. */
  all: Agreement[];
  /** onnxruntime's values of the model's own outputs (for an end-to-end comparison by the caller). */
  outputs: Feeds;
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

/** Name of our computed copy of a traced tensor (dequantized), and of the graph input that overrides it. */
export const oursName = (p: TracePoint): string => `${p.name}#ours`;
export const refInputName = (p: TracePoint): string => `${p.input}#ref`;

/** The rewritten model of step 2 (file comment); `dims` gives each traced tensor's shape. */
export function tracedModel(g: Graph, points: TracePoint[], dims: (p: TracePoint) => number[]): Graph {
  const c = cloneGraph(g);
  for (const p of points) {
    const q = c.nodes.find((n) => n.name === p.quantize)!;
    const codes = q.outputs[0];
    const ours = `${codes}#ours`;
    q.outputs = [ours];
    const scaleZp = q.inputs.slice(1);
    const shape = dims(p);
    c.nodes.push({ name: `${q.name}#expose`, opType: 'DequantizeLinear', domain: '', inputs: [ours, ...scaleZp], outputs: [oursName(p)], attrs: { ...q.attrs } });
    c.nodes.push({ name: `${q.name}#ref`, opType: 'QuantizeLinear', domain: '', inputs: [refInputName(p), ...scaleZp], outputs: [codes], attrs: { ...q.attrs } });
    c.outputs.push({ name: oursName(p), dtype: 'float32', shape });
    c.inputs.push({ name: refInputName(p), dtype: 'float32', shape });
  }
  // QuantizeLinear's `saturate` and `output_dtype` attributes fit DequantizeLinear only where they exist in both.
  for (const n of c.nodes) if (n.name.endsWith('#expose')) { delete n.attrs.saturate; delete n.attrs.output_dtype; }
  return removeDeadNodes(topoSort(c));
}

/** Runs the trace (file comment): one onnxruntime run, one run of ours. */
export async function traceQdq(model: Uint8Array, feeds: Feeds, ours: RunOurs): Promise<TraceResult> {
  const g = load(model);
  const points = tracePoints(g);
  const ref = await ortRun(bytesWithOutputs(g, points.map((p) => p.name)), feeds, { graphOptimizationLevel: 'disabled' });
  const traced = tracedModel(g, points, (p) => ref[p.name].dims);
  const overrides = Object.fromEntries(points.map((p) => [refInputName(p), ref[p.name]]));
  const got = await ours(save(traced), { ...feeds, ...overrides });
  const all: Agreement[] = [];
  const diffs: TraceDiff[] = [];
  for (const p of points) {
    const a = got[oursName(p)].data;
    const b = ref[p.name].data;
    const agree = agreement(p.name, a, b, p.scale);
    all.push(agree);
    if (!agree.off) continue;
    const where = [];
    for (let i = 0; i < b.length && where.length < 8; i++) if (a[i] !== b[i]) where.push({ index: i, ours: a[i], ref: b[i] });
    diffs.push({ ...agree, point: p, where });
  }
  return { points, diffs, all, outputs: Object.fromEntries(g.outputs.map((o) => [o.name, ref[o.name]])) };
}

/** One line: tensor, computing node, max LSB, elements off, SQNR. */
export function describeDiff(d: TraceDiff): string {
  const db = Number.isFinite(d.sqnr) ? `${d.sqnr.toFixed(1)} dB` : 'exact';
  const hidden = d.point.hidden ? ` (allowed ${allowedLsb(d.point)}: a fused inner tensor of ${d.point.hidden.toFixed(2)}x its scale feeds it)` : '';
  return `${d.point.name} (from ${d.point.producer}): max ${d.maxLsb} LSB${hidden}, ${d.off}/${d.count} off (${(100 * d.offFraction).toFixed(4)}%), SQNR ${db}`;
}
