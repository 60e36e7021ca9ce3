/** Removes Identity nodes by rewiring their consumers to the Identity's input. */
import type { Graph } from '../ir.ts';
import { replaceUses } from './rename.ts';

/**
 * Mutates and returns the graph. An Identity that produces a graph output is removed by renaming its
 * producer's output instead (so the model's output names stay); it is kept when its input is a graph input,
 * an initializer or another graph output, where no node can take the name.
 */
export function eliminateIdentity(graph: Graph): Graph {
  const outputs = new Set(graph.outputs.map((o) => o.name));
  // Dropout at inference (older exports keep it) is an Identity when nothing reads its mask.
  for (const d of graph.nodes.filter((n) => n.opType === 'Dropout' && n.domain === '')) {
    const mask = d.outputs[1];
    if (mask && (outputs.has(mask) || graph.nodes.some((n) => n.inputs.includes(mask)))) continue;
    d.opType = 'Identity';
    d.inputs = [d.inputs[0]];
    d.outputs = [d.outputs[0]];
    d.attrs = {};
  }
  const isSource = (v: string): boolean => graph.initializers.has(v) || graph.inputs.some((i) => i.name === v);
  for (const id of graph.nodes.filter((n) => n.opType === 'Identity' && n.domain === '')) {
    const [x] = id.inputs;
    const [y] = id.outputs;
    if (!outputs.has(y)) {
      graph.nodes = graph.nodes.filter((n) => n !== id);
      replaceUses(graph, y, x);
      graph.valueInfo.delete(y);
    } else if (!isSource(x) && !outputs.has(x)) {
      graph.nodes = graph.nodes.filter((n) => n !== id);
      const producer = graph.nodes.find((n) => n.outputs.includes(x))!;
      producer.outputs = producer.outputs.map((v) => (v === x ? y : v));
      replaceUses(graph, x, y);
      graph.valueInfo.delete(x);
    }
  }
  return graph;
}
