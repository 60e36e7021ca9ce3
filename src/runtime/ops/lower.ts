/**
 * Walks the (prepared, fused, topologically sorted) graph and asks each node's op, through the op table, to emit its
 * steps. Every node is lowered: fusion happened before (runtime/fuse/), so no lowering takes over another node.
 */
import { ModelError } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';
import { opEntry } from './registry.ts';

export function lowerGraph(ctx: PlanContext, progress: (done: number, total: number) => void = () => {}): void {
  const nodes = ctx.graph.nodes;
  nodes.forEach((node, i) => {
    const lower = opEntry(node)?.lower;
    if (!lower) throw new ModelError('op is not supported by the GPU planner', node.name, node.opType);
    try {
      lower(ctx, node);
    } catch (e) {
      if (e instanceof ModelError) throw e;
      throw new ModelError((e as Error).message, node.name, node.opType);
    }
    progress(i + 1, nodes.length);
  });
}
