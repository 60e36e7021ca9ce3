/** Weight-only quantized convolution: float activations, int8/int4 weights dequantized in the shader. */
import type { ConvShape } from '../../shaders/conv-shape.ts';
import type { Node } from '../ir.ts';
import type { LayerPrecision } from '../precision.ts';
import type { PlanContext } from '../plan/context.ts';
import type { ConvWeights } from './conv.ts';

export function lowerWeightOnlyConv(ctx: PlanContext, node: Node, shape: ConvShape, w: ConvWeights, outDims: number[],
  residual: string | undefined, prec: LayerPrecision): void {
  void ctx; void node; void shape; void w; void outDims; void residual; void prec;
  throw new Error('weight-only convolution is not wired into the planner yet');
}
