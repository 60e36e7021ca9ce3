/**
 * The one map from ONNX op type to the function that plans it, one line per op, sorted. An op that is not here is
 * reported by name before any GPU work (prepare.ts). `SiLU` is our own (fused Sigmoid * Mul).
 */
import type { Node } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';
import { lowerConv } from './conv.ts';
import { lowerActivation, lowerBinary } from './elementwise.ts';
import { lowerGemm, lowerMatMul } from './gemm.ts';
import { lowerCast, lowerPow, lowerReduceMean, lowerResize, lowerSoftmax, lowerUnaryMath } from './misc.ts';
import { lowerConcat, lowerGather, lowerPad, lowerSlice, lowerSplit, lowerTranspose } from './movement.ts';
import { lowerGlobalAveragePool, lowerPool } from './pool.ts';
import { lowerDequantize, lowerQuantize } from './qdq.ts';
import { lowerView } from './reshape.ts';

export type Lowering = (ctx: PlanContext, node: Node) => void;

export const LOWERINGS: Record<string, Lowering> = {
  Abs: lowerUnaryMath,
  Add: lowerBinary('add'),
  AveragePool: lowerPool,
  Cast: lowerCast,
  Ceil: lowerUnaryMath,
  Clip: lowerActivation,
  Concat: lowerConcat,
  Conv: lowerConv,
  DequantizeLinear: lowerDequantize,
  Div: lowerBinary('div'),
  Erf: lowerUnaryMath,
  Exp: lowerUnaryMath,
  Flatten: lowerView,
  Floor: lowerUnaryMath,
  Gather: lowerGather,
  Gemm: lowerGemm,
  GlobalAveragePool: lowerGlobalAveragePool,
  HardSigmoid: lowerActivation,
  HardSwish: lowerActivation,
  Identity: lowerView,
  LeakyRelu: lowerActivation,
  Log: lowerUnaryMath,
  LogSoftmax: lowerSoftmax,
  MatMul: lowerMatMul,
  Max: lowerBinary('max'),
  MaxPool: lowerPool,
  Min: lowerBinary('min'),
  Mul: lowerBinary('mul'),
  Neg: lowerUnaryMath,
  Pad: lowerPad,
  Pow: lowerPow,
  QuantizeLinear: lowerQuantize,
  Reciprocal: lowerUnaryMath,
  ReduceMean: lowerReduceMean,
  Relu: lowerActivation,
  Reshape: lowerView,
  Resize: lowerResize,
  Round: lowerUnaryMath,
  SiLU: lowerActivation,
  Sigmoid: lowerActivation,
  Slice: lowerSlice,
  Softmax: lowerSoftmax,
  Split: lowerSplit,
  Sqrt: lowerUnaryMath,
  Squeeze: lowerView,
  Sub: lowerBinary('sub'),
  Tanh: lowerUnaryMath,
  Transpose: lowerTranspose,
  Unsqueeze: lowerView,
  Upsample: lowerResize,
};
