/**
 * Gemm and MatMul with a constant B, planned as a 1x1 convolution over M "pixels": A [M,K] row-major is exactly an
 * NHWC [1,1,M,K] activation and C [M,N] an NHWC [1,1,M,N] output, so every conv kernel (float, weight-only,
 * integer) serves fully-connected layers too.
 */
import { convShape } from '../../shaders/conv-shape.ts';
import { type Node, attrFloat, attrInt, elementCount } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';
import { dimsOf } from './operands.ts';
import { floatConst } from './constants.ts';
import { lowerConvAs, type ConvWeights } from './conv.ts';

export function lowerGemm(ctx: PlanContext, node: Node): void {
  const x = ctx.value(node.inputs[0], node);
  if (attrInt(node, 'transA', 0) !== 0) throw new Error('transA=1 is not supported');
  if (x.dims.length !== 2) throw new Error(`A has shape [${x.dims}], expected 2-D`);
  const [m, k] = x.dims;
  const transB = attrInt(node, 'transB', 0) === 1;
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const bDims = constDims(ctx, node.inputs[1], node);
  const n = transB ? bDims[0] : bDims[1];
  if ((transB ? bDims[1] : bDims[0]) !== k) throw new Error(`A [${x.dims}] and B [${bDims}] (transB=${transB ? 1 : 0}) do not match`);
  let bias: Float32Array | undefined;
  if (node.inputs[2]) {
    const c = floatConst(ctx, node.inputs[2], node);
    if (c.length !== n && c.length !== 1) throw new Error(`C has ${c.length} values; only a bias of N=${n} (or a scalar) is supported`);
    bias = c.length === n ? c.map((v) => v * beta) : new Float32Array(n).fill(c[0] * beta);
  }
  const weights: ConvWeights = {
    // OIHW [N][K][1][1] = B^T
    float: () => {
      const b = floatConst(ctx, node.inputs[1], node);
      const w = new Float32Array(n * k);
      for (let o = 0; o < n; o++) for (let i = 0; i < k; i++) w[o * k + i] = alpha * (transB ? b[o * k + i] : b[i * n + o]);
      return w;
    },
    quantized: transposedQuant(ctx, node.inputs[1], transB, alpha),
    bias,
  };
  lowerConvAs(ctx, node, convShape({ n: 1, h: 1, w: m, cin: k, cout: n, kh: 1, kw: 1 }), weights, [m, n]);
}

export function lowerMatMul(ctx: PlanContext, node: Node): void {
  const x = ctx.value(node.inputs[0], node);
  const bDims = constDims(ctx, node.inputs[1], node);
  if (bDims.length !== 2) throw new Error(`B must be a 2-D constant; got [${bDims}] (batched MatMul of two activations is not supported)`);
  const [k, n] = bDims;
  if (x.dims[x.dims.length - 1] !== k) throw new Error(`A [${x.dims}] and B [${bDims}] do not match`);
  const m = elementCount(x.dims) / k;
  const weights: ConvWeights = {
    float: () => {
      const b = floatConst(ctx, node.inputs[1], node);
      const w = new Float32Array(n * k);
      for (let o = 0; o < n; o++) for (let i = 0; i < k; i++) w[o * k + i] = b[i * n + o];
      return w;
    },
    quantized: transposedQuant(ctx, node.inputs[1], false, 1),
  };
  lowerConvAs(ctx, node, convShape({ n: 1, h: 1, w: m, cin: k, cout: n, kh: 1, kw: 1 }), weights, dimsOf(ctx, node.outputs[0], node));
}

function constDims(ctx: PlanContext, name: string, node: Node): number[] {
  const d = ctx.initializer(name)?.dims ?? ctx.quantizedConsts.get(name)?.dims;
  if (!d) throw new Error(`B ('${name}') must be a constant (initializer or DequantizeLinear of one)`);
  void node;
  return d;
}

/** A quantized B as OIHW-ordered [N][K] values with per-output-channel scales, if B is a quantized constant. */
function transposedQuant(ctx: PlanContext, name: string, transB: boolean, alpha: number): ConvWeights['quantized'] {
  const q = ctx.quantizedConsts.get(name);
  if (!q) return undefined;
  const [r, c] = q.dims;
  const n = transB ? r : c;
  const k = transB ? c : r;
  // Per-output-channel axis: N is axis 0 of B^T: axis 1 of B (or 0 with transB).
  const nAxis = transB ? 0 : 1;
  if (q.axis !== -1 && q.axis !== nAxis) throw new Error(`B is quantized along axis ${q.axis}; integer GEMM needs per-tensor or per-output-column scales`);
  if (q.zeroPoint.some((z) => z !== 0)) throw new Error('B has non-zero zero points; integer GEMM needs symmetric weights');
  const vals = new Int8Array(n * k);
  for (let o = 0; o < n; o++) for (let i = 0; i < k; i++) vals[o * k + i] = q.q[transB ? o * k + i : i * n + o];
  const scale = q.scale.length === 1 ? new Float32Array(n).fill(q.scale[0] * alpha) : q.scale.map((s) => s * alpha);
  return { q: vals, dims: [n, k, 1, 1], scale, zeroPoint: new Int32Array(n), axis: 0, blockSize: 0, bits: q.bits };
}
void dimsOf;
