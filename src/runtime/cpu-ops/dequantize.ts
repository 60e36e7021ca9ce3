/**
 * CPU DequantizeLinear, y = (x - zero_point) * scale, per tensor or per axis. Used by constant folding only when
 * asked: the QDQ path keeps DequantizeLinear of weights so the planner sees quantized weights.
 */
import { attrInt, type TensorData } from '../ir.ts';
import type { InferCtx, TensorInfo } from '../shapes/context.ts';
import { fromNumbers, toNumbers } from './tensor.ts';
import { quantizeValue } from '../../quant/onnx-qdq.ts';

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

const QRANGE: Record<string, [number, number]> = { int8: [-128, 127], uint8: [0, 255], int4: [-8, 7], uint4: [0, 15], int16: [-32768, 32767], uint16: [0, 65535] };

/**
 * CPU QuantizeLinear of a constant, exactly as ONNX: y = saturate(roundHalfEven(fl32(x / scale)) + zero_point), per
 * tensor or per axis (src/quant/onnx-qdq.ts). Folding it turns the fake-quantized float weights of QAT exports
 * (QuantizeLinear -> DequantizeLinear on a float initializer) into the quantized initializers the integer kernels
 * read. Any size: the output is written straight into its typed array (no per-element boxing), one pass.
 */
export function quantizeOp(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  const x = c.value(0, 'x');
  const scale = toNumbers(c.value(1, 'y_scale'));
  const zp = c.has(2) ? toNumbers(c.value(2, 'y_zero_point')) : scale.map(() => 0);
  if (attrInt(c.node, 'block_size', 0) > 0) c.fail('blocked quantization is not folded');
  const range = QRANGE[out.dtype];
  if (!range) c.fail(`cannot fold QuantizeLinear to ${out.dtype}`);
  if (!(x.data instanceof Float32Array)) c.fail(`QuantizeLinear of a ${x.dtype} constant is not folded`);
  const r = x.dims.length;
  const axis = scale.length > 1 ? (attrInt(c.node, 'axis', 1) + r) % r : -1;
  const inner = axis < 0 ? 1 : x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = axis < 0 ? 1 : x.dims[axis];
  const xv = x.data as Float32Array;
  const q = new Int32Array(xv.length);
  const params = scale.map((s, k) => ({ scale: s, zeroPoint: zp[k] }));
  for (let i = 0; i < xv.length; i++) {
    const k = axis < 0 ? 0 : Math.floor(i / inner) % n;
    q[i] = quantizeValue(xv[i], params[k], range[0], range[1]);
  }
  return [fromNumbers(out.dtype, out.shape, q)];
}
