/**
 * Reference of int8 Add / Mul (eltwise_int8.wgsl) on logical (unpacked) int8 tensors: the ONNX definition of
 * DequantizeLinear -> Add/Mul -> QuantizeLinear in float32, written here from the spec (not the library's table).
 */
import type { EltwiseInt8Params } from '../../src/shaders/eltwise_int8.ts';
import { roundHalfEven } from './quantize.ts';
import { broadcastAt, broadcastShape, forEachIndex, size } from './ops.ts';

const f = Math.fround;

export function eltwiseInt8Ref(
  p: EltwiseInt8Params, a: ArrayLike<number>, as: number[], b: ArrayLike<number>, bs: number[],
): { data: number[]; shape: number[] } {
  const shape = broadcastShape(as, bs);
  const data = new Array<number>(size(shape));
  forEachIndex(shape, (idx, i) => {
    const da = f((broadcastAt(a, as, idx) - p.a.zeroPoint) * f(p.a.scale));
    const db = f((broadcastAt(b, bs, idx) - p.b.zeroPoint) * f(p.b.scale));
    const y = f(p.op === 'mul' ? da * db : da + db);
    const q = roundHalfEven(f(y / f(p.output.scale))) + p.output.zeroPoint;
    data[i] = Math.min(Math.max(q, p.qmin ?? -128), p.qmax ?? 127);
  });
  return { data, shape };
}
