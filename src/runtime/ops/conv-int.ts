/**
 * Integer convolution (W8A8 / W4A8, and FC layers through gemm.ts) for QDQ layers: int8 activations in, int8 out
 * when the only reader is a QuantizeLinear (its scale becomes the output scale), else f32 out (dequantized in the
 * epilogue). ReLU / Clip fuse as clamps; other activations (SiLU, Sigmoid, HardSwish, LeakyReLU) are evaluated in
 * float32 per element on the dequantized accumulator and quantized with QuantizeLinear's exact rule (`qact`), as
 * onnxruntime computes them: a table indexed by a requantized intermediate rounds twice and is off by one LSB on
 * a fraction of a percent of the elements (measured on YOLOX-nano's SiLU layers: 0.05-0.3%).
 */
import type { Activation } from '../../shaders/activation.ts';
import type { ConvShape } from '../../shaders/conv-shape.ts';
import type { IntEpilogue, IntQuantArgs } from '../../shaders/conv2d_int_common.ts';
import { isDepthwise } from '../../shaders/conv2d_int_dw.ts';
import { packConvW4, packW4Params, w4Layout } from '../../shaders/conv2d_int_pack_w4.ts';
import { type IntPick, pickIntConv } from './conv-int-pick.ts';
import { activationClamp, fracBiasFits, isClampActivation, packChannelParams, packConvW8, packDepthwiseW8 } from '../../shaders/pack-int.ts';
import type { Node } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';
import { fusedActivation } from '../fuse/activation-fusion.ts';
import { type F32Map, addTable } from '../../quant/onnx-qdq.ts';
import type { ConvWeights } from './conv.ts';
import { type QuantTarget, nodeQParams, quantizedConsumer } from './qdq.ts';
import type { PlanConst, RtValue } from '../plan/types.ts';

/** Per-output-channel scales and int8 values (OIHW) of symmetric quantized weights, or why not. */
function symmetricWeights(w: ConvWeights, cout: number): { q: Int8Array; scales: Float32Array } | string {
  const qc = w.quantized!;
  if (qc.zeroPoint.some((z) => z !== 0)) return 'weights have non-zero zero points';
  if (qc.blockSize > 0) return 'blocked (per-group) weight scales';
  if (qc.axis !== -1 && qc.axis !== 0) return `weights are quantized along axis ${qc.axis}, not per output channel`;
  const scales = qc.scale.length === 1 ? new Float32Array(cout).fill(qc.scale[0]) : Float32Array.from(qc.scale);
  return { q: Int8Array.from(qc.q as ArrayLike<number>), scales };
}

export function lowerIntConv(ctx: PlanContext, node: Node, shape: ConvShape, w: ConvWeights, outDims: number[], residual?: string): void {
  const x = ctx.value(node.inputs[0], node);
  const sym = symmetricWeights(w, shape.cout);
  if (typeof sym === 'string' || residual) {
    throw new Error(`integer conv needs symmetric per-channel weights and no fused residual (${typeof sym === 'string' ? sym : 'residual'})`);
  }
  const act = fusedActivation(node);
  // conv [-> Relu/Clip] -> Q -> DQ -> Add(., skip) [-> Relu/Clip]* -> Q, fused by fuse/qdq-residual.ts: the conv's
  // own Q (saturation and rounding) in the epilogue, then the Add and what follows it as one exact table lookup.
  const fusedAdd = fusedResidualAdd(ctx, node, outDims);
  if (fusedAdd && !isClampActivation(act)) throw new Error(`a fused int8 residual add needs a ReLU/Clip or no activation, not ${act.kind}`);
  const target = fusedAdd?.inner ?? quantizedConsumer(ctx, node.outputs[0]);
  const zIn = x.q!.zeroPoint;
  const sIn = x.q!.scale;
  let epilogue: IntEpilogue;
  let quant: IntQuantArgs;
  let sAcc: number; // the output scale the requant targets
  let lut: Uint32Array | undefined;
  if (target) {
    const out = target.q;
    if (isClampActivation(act)) {
      epilogue = { out: 'int8', residual: !!fusedAdd };
      quant = { zIn, zOut: out.zeroPoint, ...activationClamp(act, out.scale, out.zeroPoint) };
      sAcc = out.scale;
      if (fusedAdd) lut = addTable(out, fusedAdd.skip.q!, fusedAdd.target.q, fusedAdd.post);
    } else {
      // As onnxruntime: the activation of the float32 conv output, then QuantizeLinear (exact division).
      epilogue = { out: 'qact', act };
      quant = { zIn, zOut: out.zeroPoint, sOut: out.scale };
      sAcc = out.scale;
    }
  } else {
    epilogue = { out: 'f32', act };
    quant = { zIn };
    sAcc = 1;
  }
  const caps = ctx.caps;
  const bits = w.quantized!.bits;
  const consts: Record<string, PlanConst> = {};
  let pick: IntPick;
  let weightBytes: number;
  // int4 values are int8 values too: depthwise and f32-output layers with int4 weights run the W8 kernels, and so
  // does every int4 layer on software devices, where the W4A8 kernel's nibble unpacking makes it several times
  // slower than the W8 `fma` kernel (the weights then take int8 bytes in GPU memory; the model file stays int4).
  if (bits === 4 && !isDepthwise(shape) && epilogue.out === 'int8' && !ctx.caps.software) {
    const layout = w4Layout(shape);
    const packed = packConvW4(sym.q, shape, layout);
    const { chan, qgroups } = packW4Params(sym.q, shape, layout, { sIn, zIn, sW: sym.scales, sOut: sAcc, bias: w.bias });
    pick = pickIntConv(shape, caps, epilogue, quant, layout);
    consts.weights = ctx.constBuffer(`${node.name}:weights`, packed);
    consts.chan = ctx.constBuffer(`${node.name}:chan`, chan, false);
    consts.qgroups = ctx.constBuffer(`${node.name}:qgroups`, qgroups, false);
    weightBytes = packed.byteLength + chan.byteLength + qgroups.byteLength;
  } else {
    const dw = isDepthwise(shape);
    const packed = dw ? packDepthwiseW8(sym.q, shape) : packConvW8(sym.q, shape);
    // A float bias (our quantizer's exports, QAT exports) is added at the output scale with 16 fractional bits,
    // as the model means it; an int32 DequantizeLinear bias is exact on the accumulator's grid already. The
    // f32 and qact epilogues add it in f32 to the dequantized accumulator, as onnxruntime does.
    const cq = { sIn, zIn, sW: sym.scales, sOut: sAcc, bias: w.bias, biasQ: onGrid(w, sIn, sym.scales) };
    const fracBias = epilogue.out === 'int8' && fracBiasFits(cq, shape.cout);
    if (fracBias && epilogue.out === 'int8') epilogue = { ...epilogue, fracBias };
    const chan = packChannelParams(sym.q, shape.cout, cq, epilogue.out !== 'int8' ? 'float' : fracBias ? 'frac' : 'grid');
    pick = pickIntConv(shape, caps, epilogue, quant);
    consts.weights = ctx.constBuffer(`${node.name}:weights`, packed);
    consts.chan = ctx.constBuffer(`${node.name}:chan`, chan, false);
    weightBytes = packed.byteLength + chan.byteLength;
  }
  if (!fusedAdd) consts.residual = ctx.constBuffer(`${node.name}:no-residual`, new Uint32Array(4), false);
  consts.lut = ctx.constBuffer(`${node.name}:lut`, lut ?? new Uint32Array(4), false);
  const out = target
    ? ctx.define(node.outputs[0], outDims, 'nhwc', 'q8', fusedAdd?.target.q ?? target.q)
    : ctx.define(node.outputs[0], outDims, 'nhwc', 'f32');
  const values: Record<string, string> = { input: x.name, output: out.name };
  if (fusedAdd) values.residual = fusedAdd.skip.name;
  const { spec, ...choice } = pick;
  ctx.step(node, node.opType, spec, values, consts, bits === 4 ? 'w4a8' : 'w8a8', weightBytes, choice);
}

interface FusedAdd {
  /** The int8 skip input of the Add, already computed. */
  skip: RtValue;
  /** The conv's own QuantizeLinear (before the Add). */
  inner: QuantTarget;
  /** The float32 ReLU / Clip chain between the Add and the last QuantizeLinear (identity if none). */
  post: F32Map;
  /** The QuantizeLinear after the Add (or its activations): the output scale. */
  target: QuantTarget;
}

/** The plan's view of `node.fused.qdqResidual`; refuses, by value and shape, a skip that is not int8 of the output's dims. */
function fusedResidualAdd(ctx: PlanContext, node: Node, outDims: number[]): FusedAdd | undefined {
  const r = node.fused?.qdqResidual;
  if (!r) return undefined;
  const skip = ctx.value(r.skip, node);
  if (skip.storage !== 'q8' || skip.dims.join() !== outDims.join()) {
    throw new Error(`fused residual '${r.skip}' is ${skip.storage} [${skip.dims}]; the int8 residual add needs int8 [${outDims}]`);
  }
  const inner = nodeQParams(ctx, r.quantize);
  const target = nodeQParams(ctx, r.output);
  if (!inner || !target) throw new Error(`fused QuantizeLinear '${(inner ? r.output : r.quantize).name}' is not per-tensor int8/uint8`);
  const maps = r.post.map(clampMap);
  return { skip, inner: { q: inner, node: r.quantize }, post: (y) => maps.reduce((v, f) => f(v), y), target: { q: target, node: r.output } };
}

/** A ReLU or Clip in float32. */
function clampMap(a: Activation): F32Map {
  if (a.kind === 'relu') return (y) => (y < 0 ? 0 : y);
  if (a.kind !== 'clip') throw new Error(`clampMap: ${a.kind} is not a clamp`);
  const lo = Math.fround(a.min);
  const hi = Math.fround(a.max);
  return (y) => Math.min(Math.max(y, lo), hi);
}

/** The int32 bias codes if their scale is s_in * s_w (quantize_static's rule), else undefined (a float bias). */
function onGrid(w: ConvWeights, sIn: number, sW: Float32Array): Int32Array | undefined {
  const q = w.biasQ;
  if (!q || !w.bias) return undefined;
  for (let o = 0; o < q.length; o++) {
    const want = Math.fround(q[o] * Math.fround(sIn * sW[o]));
    if (Math.abs(want - w.bias[o]) > 1e-6 * Math.abs(w.bias[o])) return undefined;
  }
  return q;
}
