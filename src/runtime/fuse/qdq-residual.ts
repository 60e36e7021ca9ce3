/**
 * QDQ models: the int8 residual add after an integer conv becomes part of that conv.
 *
 *   x(int8) -> Conv [-> Relu/Clip] -> Q1 -> DQ1 -> Add(., skip) [-> Relu/Clip]* -> Q2
 *   becomes   Conv{ fused.qdqResidual: { skip, quantize: Q1, output: Q2, post } } -> Q2
 *
 * The conv's epilogue applies Q1 (saturation and rounding at Q1's scale), then the Add and the clamps after it as
 * one exact table lookup at Q2's scale (ops/conv-int.ts). The rewrite fires only where the planner will take the
 * integer path (`lowerConvAs`: an int8 input and int8/int4 weights) and the skip is an int8 value already computed
 * when the conv runs; those are graph facts for QDQ models (a DequantizeLinear of an activation is int8 in the plan,
 * one of an int8/int4 initializer is quantized weights), so the plan does not need to be consulted.
 * The fused node keeps the conv's place (the skip is produced before it) and takes over the last clamp's (or the
 * Add's) output; Q2 stays a node and reads it.
 */
import { isClampActivation } from '../../shaders/pack-int.ts';
import type { Graph, Node } from '../ir.ts';
import { activationOf, fusedActivation, fusedNames } from './activation-fusion.ts';
import { activationDq, consumersOf, integerConv, producerOf } from './graph-util.ts';

const FUSE_INTO = new Set(['Conv', 'Gemm', 'MatMul']);

/** The one reader of `value`, unless it is a graph output or has several readers. */
export function only(g: Graph, value: string): Node | undefined {
  if (g.outputs.some((o) => o.name === value)) return undefined;
  const users = consumersOf(g, value);
  return users.length === 1 ? users[0] : undefined;
}

/** A per-tensor int8/uint8 QuantizeLinear with constant scale and zero point: the only kind the planner fuses. */
export function perTensorQ(g: Graph, n: Node | undefined): n is Node {
  if (n?.opType !== 'QuantizeLinear') return false;
  const s = g.initializers.get(n.inputs[1]);
  if (!s || s.data.length !== 1) return false;
  if (!n.inputs[2]) return true;
  const zp = g.initializers.get(n.inputs[2]);
  return !!zp && (zp.dtype === 'int8' || zp.dtype === 'uint8');
}

/** Fuses every match (see the file comment); returns how many. */
export function fuseQdqResidual(g: Graph): number {
  let count = 0;
  for (const conv of [...g.nodes]) {
    if (!FUSE_INTO.has(conv.opType) || conv.fused?.residual || conv.fused?.qdqResidual) continue;
    if (!isClampActivation(fusedActivation(conv)) || !integerConv(g, conv)) continue;
    const q1 = only(g, conv.outputs[0]);
    if (!perTensorQ(g, q1)) continue;
    const dq1 = only(g, q1.outputs[0]);
    if (dq1?.opType !== 'DequantizeLinear') continue;
    const add = only(g, dq1.outputs[0]);
    if (add?.opType !== 'Add') continue;
    const skip = add.inputs[0] === dq1.outputs[0] ? add.inputs[1] : add.inputs[0];
    if (skip === dq1.outputs[0]) continue;
    // The skip must be int8 and computed before the conv runs (the plan is lowered in node order).
    const skipDq = activationDq(g, skip);
    if (!skipDq || g.nodes.indexOf(skipDq) > g.nodes.indexOf(conv)) continue;
    const outShape = g.valueInfo.get(conv.outputs[0])?.shape;
    if (!outShape || outShape.join() !== g.valueInfo.get(skip)?.shape.join()) continue;
    const absorbed = [q1, dq1, add];
    let result = add.outputs[0];
    for (let next = only(g, result); next; next = only(g, result)) {
      const a = next.opType === 'Relu' || next.opType === 'Clip' ? activationOf(g, next) : undefined;
      if (!a || (a.kind !== 'relu' && a.kind !== 'clip')) break;
      absorbed.push(next);
      result = next.outputs[0];
    }
    const q2 = only(g, result);
    if (!perTensorQ(g, q2)) continue;
    const post = absorbed.slice(3).map((n) => activationOf(g, n)!);
    const fused: Node = {
      ...conv,
      inputs: [...conv.inputs.slice(0, 3), ...Array(Math.max(0, 3 - conv.inputs.length)).fill(''), skip],
      outputs: [result],
      fused: { ...conv.fused, names: [...fusedNames(conv), ...absorbed.map((n) => n.name)], qdqResidual: { skip, quantize: q1, output: q2, post } },
    };
    // In the conv's place, not the last absorbed node's: the step order (and so the plan) stays as it was.
    const drop = new Set(absorbed);
    g.nodes = g.nodes.filter((n) => !drop.has(n)).map((n) => (n === conv ? fused : n));
    count++;
  }
  return count;
}
