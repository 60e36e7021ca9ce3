/**
 * Weight-only quantized convolution (and FC): float activations, int8/int4 weights dequantized in the shader.
 * Used when a layer's config asks for int8/int4 weights with float activations, and for QDQ models whose
 * quantized weights meet a float activation. Scales are per output channel, or per group of `group` rows along the
 * reduction axis (`granularity: { group: N }`); a per-tensor request gets per-channel scales (never coarser).
 */
import { conv2dWoKernel, packConvWeightsWo } from '../../shaders/conv2d_wo.ts';
import { defaultConvVariant } from './conv-select.ts';
import type { ConvShape } from '../../shaders/conv-shape.ts';
import { packBias } from '../../shaders/pack-float.ts';
import type { Node } from '../ir.ts';
import type { LayerPrecision } from '../precision.ts';
import type { PlanContext } from '../plan/context.ts';
import { fusedActivation } from '../fuse/activation-fusion.ts';
import { type ConvWeights, convInput } from './conv.ts';

export function lowerWeightOnlyConv(ctx: PlanContext, node: Node, shape: ConvShape, w: ConvWeights, outDims: number[],
  residual: string | undefined, prec: LayerPrecision): void {
  const bits = w.quantized ? (w.quantized.bits === 4 ? 4 : 8) : prec.weights === 'int4' ? 4 : 8;
  const variant = defaultConvVariant(shape, ctx.caps);
  const group = typeof prec.granularity === 'object' ? prec.granularity.group : undefined;
  const rows = variant.family === 'dw' ? shape.kh * shape.kw : shape.kh * shape.kw * (shape.cin / shape.groups);
  const groupSize = group && group < rows ? group : undefined;
  const packed = packConvWeightsWo(w.float(), shape, { bits, groupSize, variant });
  const act = fusedActivation(node);
  const spec = conv2dWoKernel(shape, { bits, groupSize: packed.gs, act, residual: !!residual, variant }, ctx.caps);
  const values: Record<string, string> = { input: convInput(ctx, node) };
  if (residual) values.residual = ctx.as(residual, { layout: 'nhwc', storage: 'f32' }, node).name;
  values.output = ctx.define(node.outputs[0], outDims, 'nhwc', 'f32').name;
  const consts = {
    weights: ctx.constBuffer(`${node.name}:weights`, packed.weights),
    scales: ctx.constBuffer(`${node.name}:scales`, packed.scales),
    bias: ctx.constBuffer(`${node.name}:bias`, packBias(w.bias, shape.cout)),
  };
  const bytes = packed.weights.byteLength + packed.scales.byteLength + shape.cout * 4;
  ctx.step(node, node.opType, spec, values, consts, `w${bits}a32`, bytes);
}
