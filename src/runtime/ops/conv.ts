/**
 * Conv: validates shapes, picks the kernel for the layer's precision and the device, packs the weights once.
 *
 * | input storage | weights                        | kernel                              |
 * |---------------|--------------------------------|-------------------------------------|
 * | q8 (QDQ)      | int8 / int4 (DequantizeLinear) | W8A8 / W4A8 (conv-int.ts)           |
 * | f32           | fp32 (config)                  | conv2d_f32                          |
 * | f32           | fp16 (config)                  | conv2d_f32, f16 or f16-pair weights |
 * | f32           | int8 / int4 (config or QDQ)    | weight-only conv2d_wo                |
 */
import { conv2dF32Kernel, defaultConvVariant } from '../../shaders/conv2d_f32.ts';
import { convOutSize, type ConvShape } from '../../shaders/conv-shape.ts';
import { isDepthwise, packBias, packConvWeightsF32, packDepthwiseWeightsF32, packF16Pairs } from '../../shaders/pack-float.ts';
import { type Node, elementCount } from '../ir.ts';
import { layerPrecision } from '../precision.ts';
import type { PlanContext } from '../plan/context.ts';
import { fusedActivation } from '../fuse/activation-fusion.ts';
import { convNodeShape } from './geometry.ts';
import { floatConst } from './constants.ts';

export function lowerConv(ctx: PlanContext, node: Node): void {
  const x = ctx.value(node.inputs[0], node);
  const wName = node.inputs[1];
  const wq = ctx.quantizedConsts.get(wName);
  const wDims = wq?.dims ?? ctx.initializer(wName)?.dims;
  if (!wDims) throw new Error(`weights '${wName}' must be a constant (initializer or DequantizeLinear of one)`);
  const shape = convNodeShape(node, x.dims, wDims);
  const residual = node.attrs.qg_residual?.type === 'string' ? node.attrs.qg_residual.value : undefined;
  const prec = layerPrecision(ctx.config, node.name);

  if (x.storage === 'q8' && wq) {
    throw new Error('integer conv is not wired yet');
  }
  if (wq || prec.weights === 'int8' || prec.weights === 'int4') {
    throw new Error('weight-only conv is not wired yet');
  }
  lowerFloatConv(ctx, node, shape, residual, prec.weights === 'fp16' ? 'fp16' : 'fp32');
}

function outDims(s: ConvShape): number[] {
  const { outH, outW } = convOutSize(s);
  return [s.n, s.cout, outH, outW];
}

function lowerFloatConv(ctx: PlanContext, node: Node, shape: ConvShape, residual: string | undefined, precision: 'fp32' | 'fp16'): void {
  const w = floatConst(ctx, node.inputs[1], node);
  const bias = node.inputs[2] ? floatConst(ctx, node.inputs[2], node) : undefined;
  if (bias && bias.length !== shape.cout) throw new Error(`bias has ${bias.length} values for ${shape.cout} output channels`);
  const variant = defaultConvVariant(shape, ctx.gpu.caps);
  const packed = variant.family === 'dw' ? packDepthwiseWeightsF32(w, shape) : packConvWeightsF32(w, shape);
  const format = precision === 'fp16' ? (ctx.gpu.caps.f16 ? 'f16' : 'f16pack') : 'f32';
  const weights = format === 'f32' ? packed : packF16Pairs(packed);
  const x = ctx.as(node.inputs[0], { layout: 'nhwc', storage: 'f32' }, node);
  const values: Record<string, string> = { input: x.name };
  if (residual) values.residual = ctx.as(residual, { layout: 'nhwc', storage: 'f32' }, node).name;
  const out = ctx.define(node.outputs[0], outDims(shape), 'nhwc', 'f32');
  values.output = out.name;
  const spec = conv2dF32Kernel(shape, { act: fusedActivation(node), residual: !!residual, weights: format, variant }, ctx.gpu.caps);
  const wBuf = ctx.constBuffer(`${node.name}:weights`, weights);
  const bBuf = ctx.constBuffer(`${node.name}:bias`, packBias(bias, shape.cout));
  ctx.step(node, 'Conv', spec, values, { weights: wBuf, bias: bBuf }, precision, weights.byteLength + shape.cout * 4);
  void elementCount;
}
