/**
 * ONNX op type -> CPU implementation, for folding constant subgraphs (shape computations, weight transposes).
 * An op runs with all its inputs known (Shape: with its input's shape known); outputs get the shapes and dtypes
 * that the shape rules computed.
 */
import type { TensorData } from '../ir.ts';
import type { InferCtx, TensorInfo } from '../shapes/context.ts';
import { dequantizeOp, quantizeOp } from './dequantize.ts';
import { binaryOp, castOp, unaryOp } from './elementwise.ts';
import { constantOfShapeOp, constantOp, rangeOp, shapeOp } from './generators.ts';
import { concatOp, expandOp, gatherOp, sameData, sliceOp, transposeOp } from './movement.ts';

export type CpuOp = (c: InferCtx, outs: TensorInfo[]) => TensorData[];

export const CPU_OPS: Readonly<Partial<Record<string, CpuOp>>> = {
  Add: binaryOp,
  Cast: castOp,
  Concat: concatOp,
  Constant: constantOp,
  ConstantOfShape: constantOfShapeOp,
  DequantizeLinear: dequantizeOp,
  Div: binaryOp,
  Exp: unaryOp,
  Expand: expandOp,
  Flatten: sameData,
  Gather: gatherOp,
  Identity: sameData,
  Mul: binaryOp,
  Pow: binaryOp,
  QuantizeLinear: quantizeOp,
  Range: rangeOp,
  Reshape: sameData,
  Shape: shapeOp,
  Slice: sliceOp,
  Sqrt: unaryOp,
  Squeeze: sameData,
  Sub: binaryOp,
  Transpose: transposeOp,
  Unsqueeze: sameData,
};
