/** Value renaming and unique-name helpers shared by the rewriting passes. */
import type { Graph } from '../ir.ts';

/** Replaces every use of value `from` (node inputs, graph outputs) by `to`. */
export function replaceUses(graph: Graph, from: string, to: string): void {
  for (const n of graph.nodes) n.inputs = n.inputs.map((v) => (v === from ? to : v));
  for (const o of graph.outputs) if (o.name === from) o.name = to;
}

/** A name starting with `base` that no value, initializer or node of the graph uses yet. */
export function freshName(graph: Graph, base: string): string {
  const used = new Set<string>([
    ...graph.initializers.keys(),
    ...graph.inputs.map((v) => v.name),
    ...graph.nodes.flatMap((n) => [n.name, ...n.outputs]),
  ]);
  if (!used.has(base)) return base;
  for (let i = 1; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}
