/**
 * Raising a float graph's opset so that QDQ can be expressed: per-axis DequantizeLinear needs 13, int4 needs 21.
 * Only the ops whose meaning changed between 11 and 21 in the ways the supported models use are rewritten;
 * anything else that changed is refused by name rather than silently mis-converted.
 */
import { type Graph, ModelError, attrInt } from '../runtime/ir.ts';
import { cloneGraph } from './graph.ts';

/** Ops whose signature changed between opsets 11 and 21 in ways this upgrade does not rewrite. */
const REFUSED = new Set(['Split', 'Squeeze', 'Unsqueeze', 'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd',
  'ReduceL2', 'ReduceL1', 'ReduceLogSumExp', 'ReduceSumSquare', 'Upsample', 'Scatter', 'LogSoftmax', 'Hardmax']);

/**
 * A copy of `src` at opset `target` (or `src` copied unchanged when it is already at or above it); `shareData`
 * as cloneGraph's.
 * Softmax before 13 flattens to 2-D at `axis`; that equals the 13 semantics only when axis is the last dim, which
 * is checked when the rank is known.
 */
export function upgradeOpset(src: Graph, target: number, opts: { shareData?: boolean } = {}): Graph {
  const g = cloneGraph(src, opts);
  if (g.opset >= target) return g;
  for (const n of g.nodes) {
    if (n.domain !== '') continue;
    if (REFUSED.has(n.opType) && g.opset < 13) {
      throw new ModelError(`cannot upgrade from opset ${g.opset} to ${target}: inputs/attributes changed`, n.name, n.opType);
    }
    if ((n.opType === 'Softmax') && g.opset < 13) {
      const axis = attrInt(n, 'axis', 1);
      const from = g.nodes.find((p) => p.outputs.includes(n.inputs[0]));
      const perm = from?.opType === 'Transpose' ? from.attrs.perm : undefined;
      const rank = g.valueInfo.get(n.inputs[0])?.shape.length ?? (perm?.type === 'ints' ? perm.value.length : undefined);
      if (axis !== -1 && (rank === undefined || axis !== rank - 1)) {
        throw new ModelError(`opset ${g.opset} Softmax on axis ${axis} of a rank-${rank ?? '?'} tensor changes meaning at opset 13`, n.name, n.opType);
      }
    }
  }
  g.opset = target;
  return g;
}
