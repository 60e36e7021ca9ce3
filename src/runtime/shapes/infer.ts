/** Shape inference over a whole graph, and the list of ops it supports. */
import { ModelError, type Graph, type Node } from '../ir.ts';
import { type InputShapes, propagate } from './propagate.ts';
import { OPS, opEntry } from '../ops/registry.ts';

/** The ONNX ops (default domain) that the front end understands, sorted. */
export const SUPPORTED_OPS: readonly string[] = Object.keys(OPS).filter((op) => OPS[op].shape).sort();

/** Nodes whose op the front end does not support (including every op of a non-default domain). */
export function unsupportedOps(graph: Graph): { node: string; op: string }[] {
  return graph.nodes
    .filter((n: Node) => !opEntry(n)?.shape)
    .map((n) => ({ node: n.name, op: n.domain ? `${n.domain}.${n.opType}` : n.opType }));
}

/**
 * Fixes the graph inputs' shapes (from `inputShapes`; symbolic dims not given become 1) and fills
 * `graph.valueInfo` with the dtype and shape of every graph input and node output; graph outputs get their
 * inferred shapes too. Throws a ModelError naming the node, op and shapes at the first problem, or the first
 * unsupported op. Returns the graph.
 */
export function inferShapes(graph: Graph, inputShapes?: InputShapes): Graph {
  const { infos } = propagate(graph, { inputShapes, strict: true });
  for (const v of graph.inputs) v.shape = [...infos.get(v.name)!.shape];
  graph.valueInfo = new Map();
  for (const v of graph.inputs) graph.valueInfo.set(v.name, { ...v, shape: [...v.shape] });
  for (const n of graph.nodes) {
    for (const o of n.outputs) {
      const t = infos.get(o);
      if (o && t) graph.valueInfo.set(o, { name: o, dtype: t.dtype, shape: [...t.shape] });
    }
  }
  for (const out of graph.outputs) {
    const t = infos.get(out.name);
    if (!t) throw new ModelError(`graph output '${out.name}' has no inferred shape`);
    const clash = out.shape.length === t.shape.length && out.shape.some((d, i) => typeof d === 'number' && d !== t.shape[i]);
    if (clash || (out.shape.length && out.shape.length !== t.shape.length)) {
      throw new ModelError(`graph output '${out.name}' is declared [${out.shape}] but infers to [${t.shape}]`);
    }
    out.dtype = t.dtype;
    out.shape = [...t.shape];
  }
  return graph;
}
