/** Shape rules of ops that make tensors from attributes or small constant inputs: Shape, Constant, ConstantOfShape, Range. */
import { attrInt, type TensorData } from '../ir.ts';
import type { InferCtx, TensorInfo } from './context.ts';

/** Shape: a 1-D int64 of the input's dims; opset 15 `start`/`end` select a range of them. */
export function shapeOf(c: InferCtx): TensorInfo[] {
  return [{ dtype: 'int64', shape: [shapeRange(c).length] }];
}

/** The dims Shape outputs (shared with its CPU implementation). */
export function shapeRange(c: InferCtx): number[] {
  const s = c.in(0).shape;
  const r = s.length;
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  return s.slice(clamp(attrInt(c.node, 'start', 0)), clamp(attrInt(c.node, 'end', r)));
}

/** The tensor a Constant node holds: `value`, or value_float(s) / value_int(s) (opset 12+). */
export function constantValue(c: InferCtx): TensorData {
  const a = c.node.attrs;
  if (a.value?.type === 'tensor') return a.value.value;
  if (a.value_float?.type === 'float') return { dtype: 'float32', dims: [], data: Float32Array.of(a.value_float.value) };
  if (a.value_floats?.type === 'floats') {
    return { dtype: 'float32', dims: [a.value_floats.value.length], data: Float32Array.from(a.value_floats.value) };
  }
  if (a.value_int?.type === 'int') return { dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(a.value_int.value)) };
  if (a.value_ints?.type === 'ints') {
    return { dtype: 'int64', dims: [a.value_ints.value.length], data: BigInt64Array.from(a.value_ints.value, BigInt) };
  }
  return c.fail(`unsupported value attribute (${Object.keys(a).join(', ') || 'none'})`);
}

export function constant(c: InferCtx): TensorInfo[] {
  const v = constantValue(c);
  return [{ dtype: v.dtype, shape: [...v.dims] }];
}

/** ConstantOfShape: shape from the int64 input, dtype from the `value` tensor (default float32 0). */
export function constantOfShape(c: InferCtx): TensorInfo[] {
  const shape = c.needInts(0, 'shape');
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) c.fail(`invalid shape [${shape}]`);
  const v = c.node.attrs.value;
  return [{ dtype: v?.type === 'tensor' ? v.value.dtype : 'float32', shape }];
}

/** Range: max(ceil((limit - start) / delta), 0) elements of start's dtype. */
export function range(c: InferCtx): TensorInfo[] {
  const [start, limit, delta] = [0, 1, 2].map((i) => c.needInts(i, ['start', 'limit', 'delta'][i])[0]);
  if (!delta) c.fail('delta is 0');
  return [{ dtype: c.in(0).dtype, shape: [Math.max(Math.ceil((limit - start) / delta), 0)] }];
}
