/** Bit-exact reference of int8 Add / Mul (eltwise_int8.wgsl), on logical (unpacked) int8 tensors. */
import type { EltwiseInt8Params } from '../../src/shaders/eltwise_int8.ts';
import { fixedMultiplier } from '../../src/shaders/requantize-math.ts';
import { mulShiftRoundRef as mulShiftRef, roundShiftRef } from './requant.ts';
import { broadcastAt, broadcastShape, forEachIndex, size } from './ops.ts';

export function eltwiseInt8Ref(
  p: EltwiseInt8Params, a: ArrayLike<number>, as: number[], b: ArrayLike<number>, bs: number[],
): { data: number[]; shape: number[] } {
  const shape = broadcastShape(as, bs);
  const data = new Array<number>(size(shape));
  const [za, zb, zo] = [p.a.zeroPoint, p.b.zeroPoint, p.output.zeroPoint];
  const fa = fixedMultiplier(p.op === 'mul' ? (p.a.scale * p.b.scale) / p.output.scale : p.a.scale / p.output.scale);
  const fb = fixedMultiplier(p.b.scale / p.output.scale);
  forEachIndex(shape, (idx, i) => {
    const pa = broadcastAt(a, as, idx) - za;
    const pb = broadcastAt(b, bs, idx) - zb;
    let q: number;
    if (p.op === 'mul') q = zo + mulShiftRef(pa * pb, fa.m, fa.s);
    else q = zo + roundShiftRef(mulShiftRef(pa, fa.m, fa.s - 16) + mulShiftRef(pb, fb.m, fb.s - 16), 16);
    data[i] = Math.min(Math.max(q, p.qmin ?? -128), p.qmax ?? 127);
  });
  return { data, shape };
}
