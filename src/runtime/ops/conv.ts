/**
 * Conv (and Gemm/MatMul, which gemm.ts plans as 1x1 convs): validates shapes, picks the kernel for the layer's
 * precision and the device, packs the weights once.
 *
 * | input storage | weights                        | kernel                              |
 * |---------------|--------------------------------|-------------------------------------|
 * | q8 (QDQ)      | int8 / int4 (DequantizeLinear) | W8A8 / W4A8 (conv-int.ts)           |
 * | f32           | fp32 (config)                  | conv2d_f32                          |
 * | f32           | fp16 (config)                  | conv2d_f32, f16 or f16-pair weights |
 * | f32           | int8 / int4 (config or QDQ)    | weight-only (conv-wo.ts)            |
 */
import { conv2dF32Kernel, packConv2dF32Weights } from '../../shaders/conv2d_f32.ts';
import { defaultConvVariant } from './conv-select.ts';
import { convOutSize, type ConvShape } from '../../shaders/conv-shape.ts';
import { packBias } from '../../shaders/pack-float.ts';
import type { Node } from '../ir.ts';
import { layerPrecision } from '../precision.ts';
import type { PlanContext, QuantizedConst } from '../plan/context.ts';
import { fusedActivation } from '../fuse/activation-fusion.ts';
import { convNodeShape } from './geometry.ts';
import { floatConst } from './constants.ts';
import { lowerIntConv } from './conv-int.ts';
import { lowerWeightOnlyConv } from './conv-wo.ts';

/** Where a conv's weights come from: float OIHW on demand, and the quantized values if the model has them. */
export interface ConvWeights {
  float: () => Float32Array;
  /** OIHW-ordered quantized weights (a QDQ model's DequantizeLinear of an int8/int4 initializer). */
  quantized?: QuantizedConst;
  bias?: Float32Array;
  /** The bias on the accumulator's integer grid, when the model gives it so (int32 DequantizeLinear). */
  biasQ?: Int32Array;
}

export function lowerConv(ctx: PlanContext, node: Node): void {
  const x = ctx.value(node.inputs[0], node);
  const wName = node.inputs[1];
  const quantized = ctx.quantizedConsts.get(wName);
  const wDims = quantized?.dims ?? ctx.initializer(wName)?.dims;
  if (!wDims) throw new Error(`weights '${wName}' must be a constant (initializer or DequantizeLinear of one)`);
  const shape = convNodeShape(node, x.dims, wDims);
  const bias = node.inputs[2] ? floatConst(ctx, node.inputs[2], node) : undefined;
  if (bias && bias.length !== shape.cout) throw new Error(`bias has ${bias.length} values for ${shape.cout} output channels`);
  const { outH, outW } = convOutSize(shape);
  lowerConvAs(ctx, node, shape, { float: () => floatConst(ctx, wName, node), quantized, bias, biasQ: int32Bias(ctx, node.inputs[2]) }, [shape.n, shape.cout, outH, outW]);
}

/** Plans a conv of `shape` whose output has ONNX dims `outDims` (4-D NCHW, or [M,N] for a GEMM). */
export function lowerConvAs(ctx: PlanContext, node: Node, shape: ConvShape, w: ConvWeights, outDims: number[]): void {
  const x = ctx.value(node.inputs[0], node);
  const residual = node.fused?.residual;
  const prec = layerPrecision(ctx.config, node.name);
  if (x.storage === 'q8' && w.quantized && w.quantized.bits !== 32) {
    lowerIntConv(ctx, node, shape, w, outDims, residual);
    return;
  }
  // fuse/qdq-residual.ts fuses only convs it knows take the integer path; a float kernel would drop the add.
  if (node.fused?.qdqResidual) throw new Error(`int8 residual add fused, but the conv is not integer (input ${x.storage}, weights ${w.quantized ? `int${w.quantized.bits}` : 'float'})`);
  if (w.quantized || prec.weights === 'int8' || prec.weights === 'int4') {
    lowerWeightOnlyConv(ctx, node, shape, w, outDims, residual, prec);
    return;
  }
  lowerFloatConv(ctx, node, shape, w, outDims, residual, prec.weights === 'fp16' ? 'fp16' : 'fp32');
}

/** The conv's float input in the layout its kernels read (NHWC; a 2-D GEMM input is already row-major). */
export function convInput(ctx: PlanContext, node: Node): string {
  const x = ctx.value(node.inputs[0], node);
  return ctx.as(x.name, { storage: 'f32', layout: 'nhwc' }, node).name;
}

function lowerFloatConv(ctx: PlanContext, node: Node, shape: ConvShape, w: ConvWeights, outDims: number[],
  residual: string | undefined, precision: 'fp32' | 'fp16'): void {
  const variant = ctx.variants.get(node.name) ?? defaultConvVariant(shape, ctx.caps);
  const format = precision === 'fp16' ? (ctx.caps.f16 ? 'f16' : 'f16pack') : 'f32';
  const weights = packConv2dF32Weights(w.float(), shape, variant, format);
  const values: Record<string, string> = { input: convInput(ctx, node) };
  if (residual) values.residual = ctx.as(residual, { layout: 'nhwc', storage: 'f32' }, node).name;
  values.output = ctx.define(node.outputs[0], outDims, 'nhwc', 'f32').name;
  const spec = conv2dF32Kernel(shape, { act: fusedActivation(node), residual: !!residual, weights: format, variant }, ctx.caps);
  const wBuf = ctx.constBuffer(`${node.name}:weights`, weights);
  const bBuf = ctx.constBuffer(`${node.name}:bias`, packBias(w.bias, shape.cout));
  ctx.step(node, node.opType, spec, values, { weights: wBuf, bias: bBuf }, precision, weights.byteLength + shape.cout * 4);
}

/** The int32 codes of a bias given as DequantizeLinear(int32) (quantize_static), or undefined for a float bias. */
export function int32Bias(ctx: PlanContext, name: string | undefined): Int32Array | undefined {
  const q = name ? ctx.quantizedConsts.get(name) : undefined;
  if (!q || q.bits !== 32 || q.zeroPoint.some((z) => z !== 0)) return undefined;
  return Int32Array.from(q.q as ArrayLike<number>);
}
