/**
 * Int8 Add / Mul on packed int8 tensors with numpy broadcasting, exact integer math (eltwise_int8.wgsl).
 * Shapes are logical (channels last, unpadded); each input's channel count equals the output's or is 1.
 * The whole shape is right-aligned and padded to rank 6 with the channel axis in the last slot.
 */
import code from './eltwise_int8.wgsl?raw';
import { broadcastShape, broadcastStrides } from './binary.ts';
import { type KernelSpec, ceilDiv, dispatch1d, kernelKey, packUniforms } from './kernel.ts';
import { fixedMultiplier, requantizeMathCode } from './requantize-math.ts';
import type { QParams } from './requantize.ts';
import { MAX_RANK, rowMajorStrides, sizeOf, slotFields } from './slice.ts';

export interface EltwiseInt8Params {
  op: 'add' | 'mul';
  a: QParams;
  b: QParams;
  output: QParams;
  /** Quantized clamp range (default [-128, 127]); [zp_out, 127] fuses a ReLU. */
  qmin?: number;
  qmax?: number;
}

/** Byte strides of a packed tensor (last axis padded to 4) against the word-shaped output. */
function byteStrides(shape: readonly number[], out: readonly number[]): { strides: number[]; step: number } {
  const c = shape[shape.length - 1];
  const padded = [...shape.slice(0, -1), ceilDiv(c, 4) * 4];
  const strides = broadcastStrides(shape, out, rowMajorStrides(padded));
  // the last output dim counts words: one word step is 4 channels, unless this input broadcasts its channel
  strides[strides.length - 1] = c === 1 ? 0 : 4;
  return { strides, step: c === 1 ? 0 : 1 };
}

/** Bindings: a, b (packed int8 words), output (packed int8 words, broadcast shape), u. */
export function eltwiseInt8Kernel(p: EltwiseInt8Params, aShape: readonly number[], bShape: readonly number[]): KernelSpec {
  const name = `${p.op}_int8`;
  const pad6 = (s: readonly number[]): number[] => [...new Array<number>(MAX_RANK - s.length).fill(1), ...s];
  if (aShape.length > MAX_RANK || bShape.length > MAX_RANK) throw new Error(`${name}: rank > ${MAX_RANK} ([${aShape}], [${bShape}])`);
  const as = pad6(aShape.length ? aShape : [1]);
  const bs = pad6(bShape.length ? bShape : [1]);
  const out = broadcastShape(as, bs, name);
  const c = out[MAX_RANK - 1];
  const words = [...out.slice(0, -1), ceilDiv(c, 4)];
  const A = byteStrides(as, words);
  const B = byteStrides(bs, words);
  let ma: number, sa: number, mb = 0, sb = 0;
  if (p.op === 'mul') {
    ({ m: ma, s: sa } = fixedMultiplier((p.a.scale * p.b.scale) / p.output.scale, `${name} scale`));
  } else {
    const ra = p.a.scale / p.output.scale;
    const rb = p.b.scale / p.output.scale;
    // each 16-fraction-bit term must stay below 2^30: |q - z| <= 255, so the ratio must be < 64
    if (ra >= 64 || rb >= 64) throw new Error(`${name}: input/output scale ratios ${ra}, ${rb} must be < 64`);
    ({ m: ma, s: sa } = fixedMultiplier(ra, `${name} a scale`));
    ({ m: mb, s: sb } = fixedMultiplier(rb, `${name} b scale`));
  }
  const WG = 256;
  const n = sizeOf(words);
  return {
    name,
    key: kernelKey('eltwise_int8', { WG, op: p.op }),
    code: `${code}\n${requantizeMathCode}`,
    entryPoint: 'main',
    constants: { WG, MUL: p.op === 'mul' ? 1 : 0 },
    bindings: [
      { name: 'a', kind: 'read-only-storage' },
      { name: 'b', kind: 'read-only-storage' },
      { name: 'output', kind: 'storage' },
      { name: 'u', kind: 'uniform' },
    ],
    dispatch: dispatch1d(ceilDiv(n, WG)),
    uniforms: packUniforms([
      ...slotFields('u32', words, 1),
      ...slotFields('u32', A.strides, 0),
      ...slotFields('u32', B.strides, 0),
      ['u32', n], ['u32', c], ['u32', A.step], ['u32', B.step],
      ['i32', p.a.zeroPoint], ['i32', p.b.zeroPoint], ['i32', p.output.zeroPoint],
      ['u32', ma], ['u32', sa], ['u32', mb], ['u32', sb],
      ['i32', p.qmin ?? -128], ['i32', p.qmax ?? 127],
    ]),
  };
}
