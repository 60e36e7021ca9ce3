/**
 * Graph passes of the front end. Each mutates the graph it is given and returns it, keeping nodes sorted.
 * Activation, residual and QDQ fusion are the planner's, not here.
 */
import type { Graph } from '../ir.ts';
import { eliminateIdentity } from './eliminate-identity.ts';
import { foldBatchNorm } from './fold-batchnorm.ts';
import { foldConstants, type FoldOptions } from './fold-constants.ts';
import { removeDeadNodes } from './remove-dead-nodes.ts';
import { foldQuantizedClips } from './quantized-clip.ts';

export { eliminateIdentity, foldBatchNorm, foldConstants, foldQuantizedClips, removeDeadNodes };
export type { FoldOptions };
export { topoSort } from './toposort.ts';

/**
 * The usual clean-up after load: fold constants, drop Identity, move Clip/Relu of quantized codes before their
 * QuantizeLinear (quantized-clip.ts), fold BatchNormalization, drop dead nodes.
 */
export function simplify(graph: Graph, opts: FoldOptions = {}): Graph {
  foldConstants(graph, opts);
  eliminateIdentity(graph);
  foldQuantizedClips(graph);
  foldBatchNorm(graph);
  return removeDeadNodes(graph);
}
