/** ONNX op type -> shape rule, one line per op, sorted. Ops of the default domain only. */
import type { ShapeRule } from './context.ts';
import { batchNorm, binary, cast, clip, dequantize, dropout, quantize, softmax, unary } from './elementwise.ts';
import { constant, constantOfShape, range, shapeOf } from './generators.ts';
import { gemm, matmul, reduceMean } from './linear.ts';
import { resize, upsample } from './resize.ts';
import { pad, slice } from './slice-pad.ts';
import { concat, expand, flatten, gather, reshape, split, squeeze, transpose, unsqueeze } from './tensor-ops.ts';
import { conv, globalPool, pool } from './window.ts';

export const SHAPE_RULES: Readonly<Partial<Record<string, ShapeRule>>> = {
  Add: binary,
  AveragePool: pool,
  BatchNormalization: batchNorm,
  Cast: cast,
  Clip: clip,
  Concat: concat,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Conv: conv,
  DequantizeLinear: dequantize,
  Div: binary,
  Dropout: dropout,
  Exp: unary,
  Expand: expand,
  Flatten: flatten,
  Gather: gather,
  Gemm: gemm,
  GlobalAveragePool: globalPool,
  HardSigmoid: unary,
  HardSwish: unary,
  Identity: unary,
  LeakyRelu: unary,
  MatMul: matmul,
  MaxPool: pool,
  Mul: binary,
  Pad: pad,
  Pow: binary,
  QuantizeLinear: quantize,
  Range: range,
  ReduceMean: reduceMean,
  Relu: unary,
  Reshape: reshape,
  Resize: resize,
  Shape: shapeOf,
  Sigmoid: unary,
  Slice: slice,
  Softmax: softmax,
  Split: split,
  Sqrt: unary,
  Squeeze: squeeze,
  Sub: binary,
  Tanh: unary,
  Transpose: transpose,
  Unsqueeze: unsqueeze,
  Upsample: upsample,
};
