/**
 * The one op table: op type -> what every stage does with it, one sorted line per op, data not code (as
 * onnxruntime-web's op map). Every consumer reads it: `unsupportedOps` and `SUPPORTED_OPS` (shapes/infer.ts), the
 * shape / folding walk (shapes/propagate.ts), `unplannableOps` (prepare.ts), the lowering walk (ops/lower.ts), and
 * through them `quantgpu inspect`. The rules themselves live where they did: shapes/*.ts, cpu-ops/*.ts, ops/*.ts.
 *
 * Three kinds of entry, so that an op cannot be half registered (the types refuse it; `registryProblems` checks
 * what the types cannot, and test/op-registry.test.ts runs it):
 * - `{ shape, fold?, lower }`: an ONNX op the GPU runs. `fold` (optional) computes it on the CPU when its inputs are
 *   constants (shape subgraphs, weight transposes).
 * - `{ shape, fold?, removedBy }`: an ONNX op the front end understands but the planner never sees: a pass removes
 *   it (`removedBy` names it). An instance the pass cannot remove is reported by `unplannableOps`.
 * - `{ madeBy, lower }`: our own op (domain `quantgpu`), made by a graph rewrite after shape inference (`madeBy`
 *   names it): no shape rule, no fold, and a model that contains it is refused like any unknown op.
 */
import { FUSED_DOMAIN, type Node } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';
import type { ShapeRule } from '../shapes/context.ts';
import type { CpuOp } from '../cpu-ops/index.ts';
import * as cpu from '../cpu-ops/index.ts';
import { batchNorm, binary, cast, clip, dequantize, dropout, floatUnary, minMax, quantize, softmax, unary } from '../shapes/elementwise.ts';
import { constant, constantOfShape, range, shapeOf } from '../shapes/generators.ts';
import { gemm, matmul, reduceMean } from '../shapes/linear.ts';
import { resize, upsample } from '../shapes/resize.ts';
import { pad, slice } from '../shapes/slice-pad.ts';
import { concat, expand, flatten, gather, reshape, split, squeeze, transpose, unsqueeze } from '../shapes/tensor-ops.ts';
import { conv, globalPool, pool } from '../shapes/window.ts';
import { lowerConv } from './conv.ts';
import { lowerActivation, lowerBinary } from './elementwise.ts';
import { lowerGemm, lowerMatMul } from './gemm.ts';
import { lowerCast, lowerPow, lowerReduceMean, lowerResize, lowerSoftmax, lowerUnaryMath } from './misc.ts';
import { lowerConcat, lowerGather, lowerPad, lowerSlice, lowerSplit, lowerTranspose } from './movement.ts';
import { lowerGlobalAveragePool, lowerPool } from './pool.ts';
import { lowerDequantize, lowerQuantize } from './qdq.ts';
import { lowerView } from './reshape.ts';

/** Plans one node: validates it, emits its steps into the context. */
export type Lowering = (ctx: PlanContext, node: Node) => void;

/** An ONNX op the GPU runs. */
export interface GpuOp {
  shape: ShapeRule;
  fold?: CpuOp;
  lower: Lowering;
}

/** An ONNX op that a front-end pass removes before planning. */
export interface FrontEndOp {
  shape: ShapeRule;
  fold?: CpuOp;
  /** The pass that removes it (a file under runtime/passes), for the error and the reader. */
  removedBy: string;
  lower?: never;
}

/** One of our own ops (domain `quantgpu`), made by fusion after shape inference. */
export interface FusedOp {
  /** The rewrite that makes it (a file under runtime/fuse). */
  madeBy: string;
  lower: Lowering;
  shape?: never;
  fold?: never;
}

export type OpEntry = GpuOp | FrontEndOp | FusedOp;

const FOLD = 'fold-constants.ts';

export const OPS: Readonly<Record<string, OpEntry>> = {
  Abs: { shape: floatUnary, lower: lowerUnaryMath },
  Add: { shape: binary, fold: cpu.binaryOp, lower: lowerBinary('add') },
  AveragePool: { shape: pool, lower: lowerPool },
  BatchNormalization: { shape: batchNorm, removedBy: 'fold-batchnorm.ts' },
  Cast: { shape: cast, fold: cpu.castOp, lower: lowerCast },
  Ceil: { shape: floatUnary, lower: lowerUnaryMath },
  Clip: { shape: clip, lower: lowerActivation },
  Concat: { shape: concat, fold: cpu.concatOp, lower: lowerConcat },
  Constant: { shape: constant, fold: cpu.constantOp, removedBy: FOLD },
  ConstantOfShape: { shape: constantOfShape, fold: cpu.constantOfShapeOp, removedBy: FOLD },
  Conv: { shape: conv, lower: lowerConv },
  DequantizeLinear: { shape: dequantize, fold: cpu.dequantizeOp, lower: lowerDequantize },
  Div: { shape: binary, fold: cpu.binaryOp, lower: lowerBinary('div') },
  Dropout: { shape: dropout, removedBy: 'eliminate-identity.ts' },
  Erf: { shape: floatUnary, lower: lowerUnaryMath },
  Exp: { shape: unary, fold: cpu.unaryOp, lower: lowerUnaryMath },
  Expand: { shape: expand, fold: cpu.expandOp, removedBy: FOLD },
  Flatten: { shape: flatten, fold: cpu.sameData, lower: lowerView },
  Floor: { shape: floatUnary, lower: lowerUnaryMath },
  Gather: { shape: gather, fold: cpu.gatherOp, lower: lowerGather },
  Gemm: { shape: gemm, lower: lowerGemm },
  GlobalAveragePool: { shape: globalPool, lower: lowerGlobalAveragePool },
  HardSigmoid: { shape: unary, lower: lowerActivation },
  HardSwish: { shape: unary, lower: lowerActivation },
  Identity: { shape: unary, fold: cpu.sameData, lower: lowerView },
  LeakyRelu: { shape: unary, lower: lowerActivation },
  Log: { shape: floatUnary, lower: lowerUnaryMath },
  LogSoftmax: { shape: softmax, lower: lowerSoftmax },
  MatMul: { shape: matmul, lower: lowerMatMul },
  Max: { shape: minMax, lower: lowerBinary('max') },
  MaxPool: { shape: pool, lower: lowerPool },
  Min: { shape: minMax, lower: lowerBinary('min') },
  Mul: { shape: binary, fold: cpu.binaryOp, lower: lowerBinary('mul') },
  Neg: { shape: floatUnary, lower: lowerUnaryMath },
  Pad: { shape: pad, lower: lowerPad },
  Pow: { shape: binary, fold: cpu.binaryOp, lower: lowerPow },
  QuantizeLinear: { shape: quantize, fold: cpu.quantizeOp, lower: lowerQuantize },
  Range: { shape: range, fold: cpu.rangeOp, removedBy: FOLD },
  Reciprocal: { shape: floatUnary, lower: lowerUnaryMath },
  ReduceMean: { shape: reduceMean, lower: lowerReduceMean },
  Relu: { shape: unary, lower: lowerActivation },
  Reshape: { shape: reshape, fold: cpu.sameData, lower: lowerView },
  Resize: { shape: resize, lower: lowerResize },
  Round: { shape: floatUnary, lower: lowerUnaryMath },
  Shape: { shape: shapeOf, fold: cpu.shapeOp, removedBy: FOLD },
  SiLU: { madeBy: 'activation-fusion.ts', lower: lowerActivation },
  Sigmoid: { shape: unary, lower: lowerActivation },
  Slice: { shape: slice, fold: cpu.sliceOp, lower: lowerSlice },
  Softmax: { shape: softmax, lower: lowerSoftmax },
  Split: { shape: split, lower: lowerSplit },
  Sqrt: { shape: unary, fold: cpu.unaryOp, lower: lowerUnaryMath },
  Squeeze: { shape: squeeze, fold: cpu.sameData, lower: lowerView },
  Sub: { shape: binary, fold: cpu.binaryOp, lower: lowerBinary('sub') },
  Tanh: { shape: unary, lower: lowerUnaryMath },
  Transpose: { shape: transpose, fold: cpu.transposeOp, lower: lowerTranspose },
  Unsqueeze: { shape: unsqueeze, fold: cpu.sameData, lower: lowerView },
  Upsample: { shape: upsample, lower: lowerResize },
};

/**
 * The entry for a node, or undefined: ONNX entries answer only for the default domain, fused ones only for
 * `quantgpu` (a loaded model's `com.microsoft.FusedConv` or `quantgpu.SiLU` is unknown, not ours).
 */
export function opEntry(node: Pick<Node, 'opType' | 'domain'>): OpEntry | undefined {
  const e = Object.hasOwn(OPS, node.opType) ? OPS[node.opType] : undefined;
  if (!e) return undefined;
  return node.domain === ('madeBy' in e ? FUSED_DOMAIN : '') ? e : undefined;
}

/**
 * What the types cannot say about a table, as messages (empty when sound): keys sorted, every entry of exactly
 * one kind, with a function where one is required. Each message names the op.
 */
export function registryProblems(ops: Readonly<Record<string, OpEntry>>): string[] {
  const problems: string[] = [];
  const keys = Object.keys(ops);
  const sorted = [...keys].sort();
  if (keys.join() !== sorted.join()) problems.push(`ops are not sorted: ${keys.find((k, i) => k !== sorted[i])} is out of place`);
  for (const [op, e] of Object.entries(ops)) {
    const has = (k: string) => typeof (e as unknown as Record<string, unknown>)[k] === 'function';
    const named = (k: string) => typeof (e as unknown as Record<string, unknown>)[k] === 'string';
    if (named('madeBy')) {
      if (!has('lower')) problems.push(`${op}: a fused op needs a lowering`);
      if ('shape' in e || 'fold' in e) problems.push(`${op}: a fused op is made after shape inference; it has no shape rule or fold`);
      continue;
    }
    if (!has('shape')) problems.push(`${op}: an ONNX op needs a shape rule (or, if fusion makes it, madeBy)`);
    if (has('lower') === named('removedBy')) problems.push(`${op}: needs exactly one of a lowering or removedBy`);
    if ('fold' in e && !has('fold')) problems.push(`${op}: fold is not a function`);
  }
  return problems;
}
