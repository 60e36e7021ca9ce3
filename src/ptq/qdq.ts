/**
 * QDQ insertion: the float graph plus chosen parameters -> a standard QDQ ONNX graph.
 *
 *   activations:  x -> QuantizeLinear(x, s, z:int8) -> DequantizeLinear -> x_dq -> (every quantized consumer)
 *   weights:      W_q (int8 | int4 initializer) -> DequantizeLinear(W_q, s[C], z[C]=0, axis) -> Conv / Gemm / MatMul
 *   bias:         stays float (the runtime makes it int32 with s_in * s_w)
 *
 * One Q/DQ pair per activation tensor, shared by all its quantized consumers; consumers that are not quantized
 * (Sigmoid, Mul of SiLU, the graph outputs) keep reading the float tensor, so a pair never sits between a Conv and
 * its activation. Per-axis DequantizeLinear needs opset 13 and int4 needs opset 21: the graph is upgraded.
 */
import type { Graph, Node, TensorData } from '../runtime/ir.ts';
import { consumersOf, freshNamer, PASS_THROUGH, QUANT_CONSUMERS, weightSlot } from './graph.ts';
import { upgradeOpset } from './opset.ts';
import type { QuantizedWeight } from './weights.ts';

/** Per-tensor activation parameters (int8, asymmetric allowed). */
export interface ActQParams {
  scale: number;
  zeroPoint: number;
}

/** A key equal for equal parameters (the calibrators' ranges are measured once per distinct key). */
export const paramsKey = (p: ActQParams): string => `${p.scale}|${p.zeroPoint}`;

/**
 * The activation tensors to quantize: float inputs of Conv/Gemm/MatMul/Add, and float inputs of pass-through ops
 * (Concat, MaxPool, Resize, ...) whose output is itself quantized. Initializers are never included.
 * `skip(node)` leaves a quantized consumer's inputs alone (a layer kept in float).
 */
export function activationsToQuantize(g: Graph, skip: (n: Node) => boolean = () => false): string[] {
  const chosen = new Set<string>();
  const isFloatValue = (name: string): boolean => !!name && !g.initializers.has(name) &&
    (g.valueInfo.get(name)?.dtype ?? g.inputs.find((i) => i.name === name)?.dtype ?? 'float32') === 'float32';
  // Reverse topological order: a pass-through op knows whether its output was chosen before its inputs are visited.
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k];
    let wants = false;
    if (QUANT_CONSUMERS.has(n.opType)) wants = !skip(n);
    else if (PASS_THROUGH.has(n.opType)) wants = chosen.has(n.outputs[0]);
    if (!wants) continue;
    // Weights and biases are initializers and drop out; of a pass-through op only the data input counts.
    const inputs = PASS_THROUGH.has(n.opType) && n.opType !== 'Concat' ? [n.inputs[0]] : n.inputs;
    for (const i of inputs) if (isFloatValue(i)) chosen.add(i);
  }
  return g.nodes.flatMap((n) => n.outputs).concat(g.inputs.map((i) => i.name)).filter((v) => chosen.has(v));
}

/**
 * Graph inputs and the tensors made from them by pass-through ops only (YOLOX's Focus stem: Slice -> Concat of
 * the raw 0..255 image). Rule: these keep their min/max range, never a clipped one. Clipping the model input
 * loses information at the source, and pixel histograms are not smooth: YOLOX's letterbox pads with gray 114,
 * and the KL search on that histogram stops at the spike (range [0, 114.4]: W8A8 entropy 20.8 mAP).
 */
export function inputDerived(g: Graph): Set<string> {
  const out = new Set(g.inputs.map((i) => i.name));
  for (const n of g.nodes) {
    if (!PASS_THROUGH.has(n.opType)) continue;
    const data = n.opType === 'Concat' ? n.inputs : [n.inputs[0]];
    if (data.every((i) => out.has(i))) n.outputs.forEach((o) => out.add(o));
  }
  return out;
}

export interface QdqOptions {
  activations: Map<string, ActQParams>;
  weights: Map<string, QuantizedWeight>;
  /** Output opset; raised to 13 at least (21 when an int4 weight is present). */
  opset?: number;
}

const scalar = (v: number): TensorData => ({ dtype: 'float32', dims: [], data: Float32Array.of(v) });

/**
 * Returns a new graph in QDQ form. The input is not modified; the new graph's initializers that came from `src`
 * share their data arrays with it (copy them before mutating weights of either in place).
 */
export function insertQdq(src: Graph, opts: QdqOptions): Graph {
  const needs21 = [...opts.weights.values()].some((w) => w.bits === 4);
  const g = upgradeOpset(src, Math.max(opts.opset ?? 13, needs21 ? 21 : 13), { shareData: true });
  const fresh = freshNamer(g);
  const consumers = consumersOf(g);
  const front: Node[] = [];
  const before = new Map<Node, Node[]>();
  const add = (anchor: Node | undefined, n: Node): void => {
    if (!anchor) front.push(n);
    else before.set(anchor, [...(before.get(anchor) ?? []), n]);
  };
  const producers = new Map<string, Node>();
  g.nodes.forEach((n) => n.outputs.forEach((o) => producers.set(o, n)));

  for (const [name, p] of opts.activations) {
    const users = (consumers.get(name) ?? []).filter((c) => QUANT_CONSUMERS.has(c.opType) || PASS_THROUGH.has(c.opType));
    if (!users.length) continue;
    const s = fresh(`${name}_scale`);
    const z = fresh(`${name}_zero_point`);
    const q = fresh(`${name}_QuantizeLinear_Output`);
    const dq = fresh(`${name}_DequantizeLinear_Output`);
    g.initializers.set(s, scalar(p.scale));
    g.initializers.set(z, { dtype: 'int8', dims: [], data: Int8Array.of(p.zeroPoint) });
    const qn: Node = { name: fresh(`${name}_QuantizeLinear`), opType: 'QuantizeLinear', domain: '', inputs: [name, s, z], outputs: [q], attrs: {} };
    const dn: Node = { name: fresh(`${name}_DequantizeLinear`), opType: 'DequantizeLinear', domain: '', inputs: [q, s, z], outputs: [dq], attrs: {} };
    add(producers.get(name), qn);
    add(producers.get(name), dn);
    for (const u of users) u.inputs = u.inputs.map((i) => (i === name ? dq : i));
  }

  for (const n of g.nodes) {
    const w = opts.weights.get(n.name);
    const slot = weightSlot(g, n);
    if (!w || !slot) continue;
    const base = n.inputs[slot.input];
    const qName = fresh(`${base}_quantized`);
    const sName = fresh(`${base}_scale`);
    const zName = fresh(`${base}_zero_point`);
    const out = fresh(`${base}_DequantizeLinear_Output`);
    const dtype = w.bits === 4 ? 'int4' : 'int8';
    g.initializers.set(qName, { dtype, dims: [...w.dims], data: w.codes });
    g.initializers.set(sName, { dtype: 'float32', dims: [w.scale.length], data: w.scale });
    g.initializers.set(zName, { dtype, dims: [w.scale.length], data: new Int8Array(w.scale.length) });
    const dn: Node = {
      name: fresh(`${base}_DequantizeLinear`), opType: 'DequantizeLinear', domain: '',
      inputs: [qName, sName, zName], outputs: [out], attrs: { axis: { type: 'int', value: w.axis } },
    };
    front.push(dn);
    n.inputs[slot.input] = out;
  }
  // Q/DQ go right after the producer of their tensor (graph inputs and weights: at the front): order stays topological.
  const nodes: Node[] = [...front];
  for (const n of g.nodes) {
    nodes.push(n);
    const extra = before.get(n);
    if (extra) nodes.push(...extra);
  }
  g.nodes = nodes;
  // Float weights that no node reads any more are dropped.
  const read = new Set(g.nodes.flatMap((n) => n.inputs));
  for (const k of [...g.initializers.keys()]) if (!read.has(k)) g.initializers.delete(k);
  return g;
}
