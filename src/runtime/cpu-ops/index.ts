/**
 * CPU implementations of ops, for folding constant subgraphs (shape computations, weight transposes). The op table
 * (ops/registry.ts, `fold`) says which op uses which. An op runs with all its inputs known (Shape: with its input's
 * shape known); outputs get the shapes and dtypes that the shape rules computed.
 */
import type { TensorData } from '../ir.ts';
import type { InferCtx, TensorInfo } from '../shapes/context.ts';

/** Computes a node's outputs from its known inputs (`c.values`), given the outputs' inferred dtypes and shapes. */
export type CpuOp = (c: InferCtx, outs: TensorInfo[]) => TensorData[];

export { dequantizeOp, quantizeOp } from './dequantize.ts';
export { binaryOp, castOp, unaryOp } from './elementwise.ts';
export { constantOfShapeOp, constantOp, rangeOp, shapeOp } from './generators.ts';
export { concatOp, expandOp, gatherOp, sameData, sliceOp, transposeOp } from './movement.ts';
