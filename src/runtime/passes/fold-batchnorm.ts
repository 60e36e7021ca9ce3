/**
 * BatchNormalization folding. A BN right after a Conv (the Conv's only consumer, constant weights) is folded
 * into the Conv's weights and bias:
 *   k[m] = scale[m] / sqrt(var[m] + eps);  W'[m, ...] = W[m, ...] * k[m];  B'[m] = (B[m] - mean[m]) * k[m] + bias[m]
 * Any other BN (after an Add, a Concat, a non-constant Conv) becomes Mul(x, k) then Add(., bias - mean * k) with
 * [C, 1, ...] constants, so the planner needs no BatchNormalization kernel.
 */
import { attrFloat, type Graph, type Node, type TensorData } from '../ir.ts';
import { propagate } from '../shapes/propagate.ts';
import { freshName } from './rename.ts';

/** Mutates and returns the graph. */
export function foldBatchNorm(graph: Graph): Graph {
  let ranks: Map<string, { shape: number[] }> | undefined;
  for (const bn of graph.nodes.filter((n) => n.opType === 'BatchNormalization' && n.domain === '')) {
    const p = bnParams(graph, bn);
    if (!p) continue;
    const conv = graph.nodes.find((n) => n.outputs[0] === bn.inputs[0]);
    if (conv && foldIntoConv(graph, conv, bn, p)) continue;
    ranks ??= propagate(graph, { strict: false }).infos;
    const rank = ranks.get(bn.inputs[0])?.shape.length ?? graph.valueInfo.get(bn.inputs[0])?.shape.length;
    if (rank !== undefined) toMulAdd(graph, bn, p, rank);
  }
  return graph;
}

interface BnParams {
  k: Float32Array;
  shift: Float32Array;
}

function bnParams(graph: Graph, bn: Node): BnParams | undefined {
  const t = bn.inputs.slice(1, 5).map((v) => graph.initializers.get(v));
  if (t.some((x) => !x || !(x.data instanceof Float32Array)) || bn.outputs.filter(Boolean).length !== 1) return undefined;
  const [scale, bias, mean, variance] = t.map((x) => x!.data as Float32Array);
  const eps = attrFloat(bn, 'epsilon', 1e-5);
  const k = scale.map((s, i) => s / Math.sqrt(variance[i] + eps));
  return { k, shift: bias.map((b, i) => b - mean[i] * k[i]) };
}

function foldIntoConv(graph: Graph, conv: Node, bn: Node, p: BnParams): boolean {
  const [x, wName, bName] = conv.inputs;
  const w = graph.initializers.get(wName);
  const b = bName ? graph.initializers.get(bName) : undefined;
  const y = conv.outputs[0];
  const onlyUse = graph.nodes.filter((n) => n.inputs.includes(y)).length === 1 && !graph.outputs.some((o) => o.name === y);
  if (conv.opType !== 'Conv' || conv.domain !== '' || !onlyUse || !w || w.dtype !== 'float32' || (bName && !b)) return false;
  const m = w.dims[0];
  if (p.k.length !== m) return false;
  const per = w.data.length / m;
  const wd = (w.data as Float32Array).map((v, i) => v * p.k[Math.floor(i / per)]);
  const bd = new Float32Array(m).map((_, i) => ((b?.data[i] as number) ?? 0) * p.k[i] + p.shift[i]);
  const wNew = freshName(graph, `${conv.name}.weight_bn`);
  graph.initializers.set(wNew, { dtype: 'float32', dims: [...w.dims], data: wd });
  const bNew = freshName(graph, `${conv.name}.bias_bn`);
  graph.initializers.set(bNew, { dtype: 'float32', dims: [m], data: bd });
  conv.inputs = [x, wNew, bNew];
  // The Conv now produces the BN's output; the old weights go if nothing else reads them.
  conv.outputs = [bn.outputs[0]];
  graph.nodes = graph.nodes.filter((n) => n !== bn);
  graph.valueInfo.delete(y);
  for (const name of [wName, bName]) {
    if (name && !graph.nodes.some((n) => n.inputs.includes(name))) graph.initializers.delete(name);
  }
  return true;
}

function toMulAdd(graph: Graph, bn: Node, p: BnParams, rank: number): void {
  const dims = [p.k.length, ...Array(Math.max(rank - 2, 0)).fill(1)];
  const kName = freshName(graph, `${bn.name}.k`);
  graph.initializers.set(kName, { dtype: 'float32', dims, data: p.k } satisfies TensorData);
  const sName = freshName(graph, `${bn.name}.shift`);
  graph.initializers.set(sName, { dtype: 'float32', dims: [...dims], data: p.shift });
  const mid = freshName(graph, `${bn.outputs[0]}_scaled`);
  const mul: Node = { name: freshName(graph, `${bn.name}_mul`), opType: 'Mul', domain: '', inputs: [bn.inputs[0], kName], outputs: [mid], attrs: {} };
  const add: Node = { name: freshName(graph, `${bn.name}_add`), opType: 'Add', domain: '', inputs: [mid, sName], outputs: [bn.outputs[0]], attrs: {} };
  const at = graph.nodes.indexOf(bn);
  graph.nodes.splice(at, 1, mul, add);
  for (const v of bn.inputs.slice(1)) if (!graph.nodes.some((n) => n.inputs.includes(v))) graph.initializers.delete(v);
}
