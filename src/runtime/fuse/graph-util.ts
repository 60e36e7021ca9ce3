/** Small graph queries and edits shared by the fusion passes. */
import type { Graph, Node } from '../ir.ts';

export function consumersOf(g: Graph, value: string): Node[] {
  return g.nodes.filter((n) => n.inputs.includes(value));
}

export function producerOf(g: Graph, value: string): Node | undefined {
  return g.nodes.find((n) => n.outputs.includes(value));
}

/** The DequantizeLinear of an activation (not of a constant) that produces `value`, if one does. */
export function activationDq(g: Graph, value: string): Node | undefined {
  const p = producerOf(g, value);
  return p?.opType === 'DequantizeLinear' && !g.initializers.has(p.inputs[0]) ? p : undefined;
}

const WEIGHT_TYPES = new Set(['int8', 'uint8', 'int4', 'uint4']);

/** True if the planner lowers `conv` with the integer kernels: int8 input, int8/int4 quantized weights. */
export function integerConv(g: Graph, conv: Node): boolean {
  const w = producerOf(g, conv.inputs[1]);
  const wq = w?.opType === 'DequantizeLinear' ? g.initializers.get(w.inputs[0]) : undefined;
  return !!activationDq(g, conv.inputs[0]) && !!wq && WEIGHT_TYPES.has(wq.dtype);
}

/** The single number held by a constant (initializer) of one element, if it is one. */
export function constScalar(g: Graph, name: string): number | undefined {
  const t = g.initializers.get(name);
  if (!t || t.data.length !== 1) return undefined;
  return Number(t.data[0]);
}

/**
 * Replaces `old` nodes by `fused`, placed where the last of them stood (its inputs are all defined by then,
 * since every input of the fused node was an input of one of them).
 */
export function replaceNodes(g: Graph, old: Node[], fused: Node): void {
  const idx = Math.max(...old.map((n) => g.nodes.indexOf(n)));
  g.nodes[idx] = fused;
  const drop = new Set(old);
  g.nodes = g.nodes.filter((n, i) => i === idx || !drop.has(n));
}
