/**
 * Integer convolution (W8A8 / W4A8, and FC layers through gemm.ts) for QDQ layers: int8 activations in, int8 out
 * when the only reader is a QuantizeLinear (its scale becomes the output scale), else f32 out (dequantized in the
 * epilogue). ReLU / Clip fuse as clamps; other activations (SiLU, Sigmoid, HardSwish, LeakyReLU) through a
 * 256-entry table applied after requantizing to an intermediate scale chosen from the output range (`midRange`).
 */
import type { Activation } from '../../shaders/activation.ts';
import type { ConvShape } from '../../shaders/conv-shape.ts';
import type { IntEpilogue, IntQuantArgs } from '../../shaders/conv2d_int_common.ts';
import { conv2dIntDwKernel, isDepthwise } from '../../shaders/conv2d_int_dw.ts';
import { chooseIntVariant } from '../../shaders/conv2d_int_choose.ts';
import { packConvW4, packW4Params, w4Layout } from '../../shaders/conv2d_int_pack_w4.ts';
import { conv2dW4A8Kernel, conv2dW4A8Variants } from '../../shaders/conv2d_w4a8.ts';
import { conv2dW8A8Kernel } from '../../shaders/conv2d_w8a8.ts';
import { activationClamp, activationLut, isClampActivation, packChannelParams, packConvW8, packDepthwiseW8 } from '../../shaders/pack-int.ts';
import type { Node } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';
import type { QParams } from '../plan/types.ts';
import { fusedActivation } from '../fuse/activation-fusion.ts';
import type { ConvWeights } from './conv.ts';
import { quantizedConsumer } from './qdq.ts';

/** Per-output-channel scales and int8 values (OIHW) of symmetric quantized weights, or why not. */
function symmetricWeights(w: ConvWeights, cout: number): { q: Int8Array; scales: Float32Array } | string {
  const qc = w.quantized!;
  if (qc.zeroPoint.some((z) => z !== 0)) return 'weights have non-zero zero points';
  if (qc.blockSize > 0) return 'blocked (per-group) weight scales';
  if (qc.axis !== -1 && qc.axis !== 0) return `weights are quantized along axis ${qc.axis}, not per output channel`;
  const scales = qc.scale.length === 1 ? new Float32Array(cout).fill(qc.scale[0]) : Float32Array.from(qc.scale);
  return { q: Int8Array.from(qc.q as ArrayLike<number>), scales };
}

/** Real range of the pre-activation values that map onto the output range [yLo, yHi] of `act`. */
export function midRange(act: Activation, yLo: number, yHi: number): [number, number] {
  const logit = (p: number) => Math.log(p / (1 - p));
  switch (act.kind) {
    case 'sigmoid': return [Math.max(-8, logit(Math.max(yLo, 1e-3))), Math.min(8, logit(Math.min(yHi, 1 - 1e-3)))];
    case 'hardsigmoid': return [(Math.max(yLo, 0) - act.beta) / act.alpha, (Math.min(yHi, 1) - act.beta) / act.alpha];
    case 'leakyrelu': return [Math.min(0, yLo / (act.alpha || 1)), Math.max(yHi, 0)];
    // SiLU and HardSwish are ~x above 0 and ~0 below -8 (resp. -3).
    case 'silu': return [-8, Math.max(yHi * 1.05, yHi + 0.3)];
    case 'hardswish': return [-3, Math.max(yHi, 3)];
    default: return [yLo, yHi];
  }
}

function qparamsFor(lo: number, hi: number): QParams {
  const l = Math.min(lo, 0);
  const h = Math.max(hi, 0);
  const scale = Math.max((h - l) / 255, 1e-8);
  return { scale, zeroPoint: Math.max(-128, Math.min(127, Math.round(-128 - l / scale))) };
}

export function lowerIntConv(ctx: PlanContext, node: Node, shape: ConvShape, w: ConvWeights, outDims: number[], residual?: string): void {
  const x = ctx.value(node.inputs[0], node);
  const sym = symmetricWeights(w, shape.cout);
  if (typeof sym === 'string' || residual) {
    throw new Error(`integer conv needs symmetric per-channel weights and no fused residual (${typeof sym === 'string' ? sym : 'residual'})`);
  }
  const act = fusedActivation(node);
  const target = quantizedConsumer(ctx, node.outputs[0]);
  const zIn = x.q!.zeroPoint;
  const sIn = x.q!.scale;
  let epilogue: IntEpilogue;
  let quant: IntQuantArgs;
  let sAcc: number; // the scale the requant targets (output, or intermediate before the table)
  let lut: Uint32Array | undefined;
  if (target) {
    const out = target.q;
    if (isClampActivation(act)) {
      epilogue = { out: 'int8', residual: false, lut: false };
      quant = { zIn, zOut: out.zeroPoint, ...activationClamp(act, out.scale, out.zeroPoint) };
      sAcc = out.scale;
    } else {
      const yLo = (-128 - out.zeroPoint) * out.scale;
      const yHi = (127 - out.zeroPoint) * out.scale;
      const mid = qparamsFor(...midRange(act, yLo, yHi));
      epilogue = { out: 'int8', residual: false, lut: true };
      quant = { zIn, zOut: mid.zeroPoint };
      sAcc = mid.scale;
      lut = activationLut(act, mid.scale, mid.zeroPoint, out.scale, out.zeroPoint);
    }
  } else {
    epilogue = { out: 'f32', act };
    quant = { zIn };
    sAcc = 1;
  }
  const caps = ctx.gpu.caps;
  const bits = w.quantized!.bits;
  const consts: Record<string, GPUBuffer> = {};
  let spec;
  let weightBytes: number;
  // int4 values are int8 values too: depthwise and f32-output layers with int4 weights run the W8 kernels, and so
  // does every int4 layer on software devices, where the W4A8 kernel's nibble unpacking makes it several times
  // slower than the W8 `fma` kernel (the weights then take int8 bytes in GPU memory; the model file stays int4).
  if (bits === 4 && !isDepthwise(shape) && epilogue.out === 'int8' && !ctx.gpu.caps.software) {
    const layout = w4Layout(shape);
    const packed = packConvW4(sym.q, shape, layout);
    const { chan, qgroups } = packW4Params(sym.q, shape, layout, { sIn, zIn, sW: sym.scales, sOut: sAcc, bias: w.bias });
    spec = conv2dW4A8Kernel(conv2dW4A8Variants(shape, caps, epilogue)[0], shape, layout, quant);
    consts.weights = ctx.constBuffer(`${node.name}:weights`, packed);
    consts.chan = ctx.constBuffer(`${node.name}:chan`, chan, false);
    consts.qgroups = ctx.constBuffer(`${node.name}:qgroups`, qgroups, false);
    weightBytes = packed.byteLength + chan.byteLength + qgroups.byteLength;
  } else {
    const dw = isDepthwise(shape);
    const packed = dw ? packDepthwiseW8(sym.q, shape) : packConvW8(sym.q, shape);
    const chan = packChannelParams(sym.q, shape.cout, { sIn, zIn, sW: sym.scales, sOut: sAcc, bias: w.bias });
    const params = chooseIntVariant(shape, caps, epilogue);
    spec = dw ? conv2dIntDwKernel(params, shape, quant) : conv2dW8A8Kernel(params, shape, quant);
    consts.weights = ctx.constBuffer(`${node.name}:weights`, packed);
    consts.chan = ctx.constBuffer(`${node.name}:chan`, chan, false);
    weightBytes = packed.byteLength + chan.byteLength;
  }
  consts.residual = ctx.constBuffer(`${node.name}:no-residual`, new Uint32Array(4), false);
  consts.lut = ctx.constBuffer(`${node.name}:lut`, lut ?? new Uint32Array(4), false);
  const out = target
    ? ctx.define(node.outputs[0], outDims, 'nhwc', 'q8', target.q)
    : ctx.define(node.outputs[0], outDims, 'nhwc', 'f32');
  ctx.step(node, node.opType, spec, { input: x.name, output: out.name }, consts, bits === 4 ? 'w4a8' : 'w8a8', weightBytes);
}
