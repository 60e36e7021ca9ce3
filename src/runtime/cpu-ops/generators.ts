/** CPU Shape, Constant, ConstantOfShape and Range. */
import type { TensorData } from '../ir.ts';
import type { InferCtx, TensorInfo } from '../shapes/context.ts';
import { constantValue, shapeRange } from '../shapes/generators.ts';
import { fromNumbers, toNumbers } from './tensor.ts';

/** Shape needs only the input's (static) shape, not its value. */
export function shapeOp(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  return [fromNumbers('int64', out.shape, shapeRange(c))];
}

export function constantOp(c: InferCtx): TensorData[] {
  return [constantValue(c)];
}

export function constantOfShapeOp(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  const v = c.node.attrs.value;
  const fill = v?.type === 'tensor' ? toNumbers(v.value)[0] ?? 0 : 0;
  const n = out.shape.reduce((a, b) => a * b, 1);
  return [fromNumbers(out.dtype, out.shape, new Float64Array(n).fill(fill))];
}

/** Range: start + i * delta, computed in the input dtype's arithmetic (float32 rounds each element). */
export function rangeOp(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  const start = toNumbers(c.value(0, 'start'))[0];
  const delta = toNumbers(c.value(2, 'delta'))[0];
  return [fromNumbers(out.dtype, out.shape, Float64Array.from({ length: out.shape[0] }, (_, i) => start + i * delta))];
}
