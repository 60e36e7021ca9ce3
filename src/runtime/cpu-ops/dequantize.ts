/**
 * CPU DequantizeLinear, y = (x - zero_point) * scale, per tensor or per axis. Used by constant folding only when
 * asked: the QDQ path keeps DequantizeLinear of weights so the planner sees quantized weights.
 */
import { attrInt, type TensorData } from '../ir.ts';
import type { InferCtx, TensorInfo } from '../shapes/context.ts';
import { toNumbers } from './tensor.ts';

export function dequantizeOp(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  const x = c.value(0, 'x');
  const scale = toNumbers(c.value(1, 'x_scale'));
  const zp = c.has(2) ? toNumbers(c.value(2, 'x_zero_point')) : scale.map(() => 0);
  if (attrInt(c.node, 'block_size', 0) > 0) c.fail('blocked quantization is not folded');
  const r = x.dims.length;
  const axis = scale.length > 1 ? (attrInt(c.node, 'axis', 1) + r) % r : -1;
  // Elements between consecutive steps of the quantization axis (per-tensor: all of them share index 0).
  const inner = axis < 0 ? 1 : x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = axis < 0 ? 1 : x.dims[axis];
  const xv = toNumbers(x);
  const y = new Float32Array(xv.length);
  for (let i = 0; i < xv.length; i++) {
    const q = axis < 0 ? 0 : Math.floor(i / inner) % n;
    y[i] = (xv[i] - zp[q]) * scale[q];
  }
  return [{ dtype: out.dtype, dims: out.shape, data: y }];
}
