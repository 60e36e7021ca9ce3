/** Dead-code elimination: drops nodes that no graph output depends on, then initializers nothing reads. */
import type { Graph } from '../ir.ts';

/** Mutates and returns the graph. Graph inputs are kept even when unused (they are the model's interface). */
export function removeDeadNodes(graph: Graph): Graph {
  const live = new Set(graph.outputs.map((o) => o.name));
  const kept = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i];
    if (!n.outputs.some((o) => live.has(o))) continue;
    kept.push(n);
    for (const v of n.inputs) if (v) live.add(v);
  }
  graph.nodes = kept.reverse();
  for (const name of [...graph.initializers.keys()]) if (!live.has(name)) graph.initializers.delete(name);
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  for (const name of [...graph.valueInfo.keys()]) {
    if (!produced.has(name) && !graph.inputs.some((v) => v.name === name)) graph.valueInfo.delete(name);
  }
  return graph;
}
