/**
 * Small graph helpers the quantizer shares: consumer/producer maps, fresh names, cloning, and which input of a
 * compute op is its weight (and along which axis its output channels run).
 */
import type { Graph, Node, TensorData } from '../runtime/ir.ts';
import { attrInt } from '../runtime/ir.ts';

/** Ops whose weights and inputs the quantizer quantizes (integer kernels in the runtime). */
export const COMPUTE_OPS = new Set(['Conv', 'Gemm', 'MatMul']);
/** Ops whose float activation inputs get Q/DQ whenever they are reached (integer kernels or integer adds). */
export const QUANT_CONSUMERS = new Set(['Conv', 'Gemm', 'MatMul', 'Add']);
/**
 * Ops that move or select values without arithmetic: their inputs get Q/DQ only when their own output does
 * (they sit between quantized ops), so a chain Conv -> Concat -> Conv stays integer end to end.
 */
export const PASS_THROUGH = new Set(['Concat', 'MaxPool', 'Resize', 'AveragePool', 'GlobalAveragePool', 'Pad', 'Reshape', 'Transpose', 'Flatten', 'Gather', 'Slice']);

export function consumersOf(graph: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      if (!i) continue;
      const list = m.get(i);
      if (list) { if (!list.includes(n)) list.push(n); } else m.set(i, [n]);
    }
  }
  return m;
}

export function producersOf(graph: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

/**
 * A deep-enough copy: nodes, attrs lists, initializer map and tensor data are new; a pass may mutate any of them.
 * `shareData`: the initializers' data arrays are shared with `g` (the map and the tensor records are still new), for
 * passes that only add, drop or rename initializers (insertQdq): copying every weight per measured configuration
 * was seconds of an `auto` selection.
 */
export function cloneGraph(g: Graph, opts: { shareData?: boolean } = {}): Graph {
  const copyT = (t: TensorData): TensorData => ({ dtype: t.dtype, dims: [...t.dims], data: opts.shareData ? t.data : t.data.slice() as TensorData['data'] });
  return {
    ...g,
    nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })),
    initializers: new Map([...g.initializers].map(([k, t]) => [k, copyT(t)])),
    inputs: g.inputs.map((v) => ({ ...v, shape: [...v.shape] })),
    outputs: g.outputs.map((v) => ({ ...v, shape: [...v.shape] })),
    valueInfo: new Map(g.valueInfo),
    opsetImports: { ...(g.opsetImports ?? {}) },
  };
}

/** A name not yet used by any value, initializer or node of the graph. */
export function freshNamer(g: Graph): (base: string) => string {
  const used = new Set<string>([...g.initializers.keys(), ...g.inputs.map((i) => i.name)]);
  for (const n of g.nodes) {
    used.add(n.name);
    n.inputs.forEach((i) => used.add(i));
    n.outputs.forEach((o) => used.add(o));
  }
  return (base) => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
}

/** Where a compute node's weight sits: input index, and the axis of its output channels. */
export interface WeightSlot {
  input: number;
  axis: number;
}

/** The weight input of Conv / Gemm / MatMul when it is an initializer of rank >= 2; undefined otherwise. */
export function weightSlot(g: Graph, n: Node): WeightSlot | undefined {
  if (!COMPUTE_OPS.has(n.opType)) return undefined;
  const w = g.initializers.get(n.inputs[1]);
  if (!w || w.dtype !== 'float32' || w.dims.length < 2) return undefined;
  if (n.opType === 'Conv') return { input: 1, axis: 0 };
  if (n.opType === 'Gemm') return { input: 1, axis: attrInt(n, 'transB', 0) ? 0 : 1 };
  return { input: 1, axis: w.dims.length - 1 };
}

/** Layers the quantizer controls: compute nodes with an initializer weight, in graph order. */
export function quantizableLayers(g: Graph): Node[] {
  return g.nodes.filter((n) => weightSlot(g, n) !== undefined);
}

/** Float32 data of an initializer, or throws naming it. */
export function floatInit(g: Graph, name: string): Float32Array {
  const t = g.initializers.get(name);
  if (!t || !(t.data instanceof Float32Array)) throw new Error(`ptq: '${name}' is not a float initializer`);
  return t.data;
}
