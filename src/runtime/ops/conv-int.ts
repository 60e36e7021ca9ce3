/** Integer convolution (W8A8 / W4A8) for QDQ layers: int8 activations in, int8 (or f32) out. */
import type { ConvShape } from '../../shaders/conv-shape.ts';
import type { Node } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';
import type { ConvWeights } from './conv.ts';

export function lowerIntConv(ctx: PlanContext, node: Node, shape: ConvShape, w: ConvWeights, outDims: number[], residual?: string): void {
  void ctx; void node; void shape; void w; void outDims; void residual;
  throw new Error('integer convolution is not wired into the planner yet');
}
