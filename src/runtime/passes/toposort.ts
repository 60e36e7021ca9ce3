/**
 * Topological sort of graph nodes (Kahn's algorithm with a min-heap on the original index, so an already sorted
 * graph keeps its exact order). Also checks that every input names something: a node output, an initializer or
 * a graph input.
 */
import { ModelError, type Graph, type Node } from '../ir.ts';

/** Sorts `graph.nodes` in place and returns the graph. Throws a ModelError naming the nodes of a cycle. */
export function topoSort(graph: Graph): Graph {
  const nodes = graph.nodes;
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (!o) continue;
      const prev = producer.get(o);
      if (prev !== undefined) {
        throw new ModelError(`value '${o}' is produced by both '${nodes[prev].name}' and '${n.name}'`, n.name, n.opType);
      }
      producer.set(o, i);
    }
  });
  const inputNames = new Set(graph.inputs.map((x) => x.name));
  const known = (v: string): boolean => v === '' || producer.has(v) || graph.initializers.has(v) || inputNames.has(v);
  const consumers: number[][] = nodes.map(() => []);
  const indegree = nodes.map((n, i) => {
    let d = 0;
    for (const v of n.inputs) {
      if (!known(v)) {
        throw new ModelError(`input '${v}' is not a graph input, an initializer or any node's output`, n.name, n.opType);
      }
      const p = producer.get(v);
      if (p !== undefined) {
        consumers[p].push(i);
        d++;
      }
    }
    return d;
  });
  for (const o of graph.outputs) {
    if (!known(o.name)) throw new ModelError(`graph output '${o.name}' is not produced by any node`);
  }
  const heap = new MinHeap();
  indegree.forEach((d, i) => d === 0 && heap.push(i));
  const order: Node[] = [];
  while (heap.size > 0) {
    const i = heap.pop();
    order.push(nodes[i]);
    for (const c of consumers[i]) if (--indegree[c] === 0) heap.push(c);
  }
  if (order.length < nodes.length) throw new ModelError(`the graph has a cycle: ${findCycle(nodes, indegree, producer)}`);
  graph.nodes = order;
  return graph;
}

/** Follows unresolved inputs from a stuck node until a node repeats; returns the cycle as "a -> b -> a". */
function findCycle(nodes: Node[], indegree: number[], producer: Map<string, number>): string {
  let i = indegree.findIndex((d) => d > 0);
  const seen = new Map<number, number>();
  const path: number[] = [];
  while (!seen.has(i)) {
    seen.set(i, path.length);
    path.push(i);
    const next = nodes[i].inputs.map((v) => producer.get(v)).find((p) => p !== undefined && indegree[p] > 0);
    if (next === undefined) break;
    i = next;
  }
  const cycle = path.slice(seen.get(i) ?? 0).reverse();
  return [...cycle, cycle[0]].map((k) => nodes[k].name).join(' -> ');
}

class MinHeap {
  private a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
