/**
 * Int8 Add / Mul on packed int8 tensors with numpy broadcasting, through a 256 x 256 table with ONNX float32
 * semantics (eltwise_int8.wgsl; `eltwiseInt8Table` builds it, the caller uploads it as the `table` binding).
 * Shapes are logical (channels last, unpadded); each input's channel count equals the output's or is 1.
 * The whole shape is right-aligned and padded to rank 6 with the channel axis in the last slot.
 */
import code from './eltwise_int8.wgsl?raw';
import { broadcastShape, broadcastStrides } from './binary.ts';
import { type KernelSpec, ceilDiv, dispatch1d, kernelKey, packUniforms } from './kernel.ts';
import { requantizeMathCode } from './requantize-math.ts';
import { binaryTable } from '../quant/onnx-qdq.ts';
import type { QParams } from './requantize.ts';
import { MAX_RANK, rowMajorStrides, sizeOf, slotFields } from './slice.ts';

export interface EltwiseInt8Params {
  op: 'add' | 'mul';
  a: QParams;
  b: QParams;
  output: QParams;
  /** Quantized clamp range (default [-128, 127]); [zp_out, 127] fuses a ReLU. Applied in the table. */
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

/** The `table` binding of `eltwiseInt8Kernel`: Q_out(DQ_a(a) op DQ_b(b)) clamped to [qmin, qmax], 64 KiB. */
export function eltwiseInt8Table(p: EltwiseInt8Params): Uint32Array {
  return binaryTable(p.op, p.a, p.b, p.output, (y) => y, p.qmin ?? -128, p.qmax ?? 127);
}

/** Bindings: a, b (packed int8 words), table (eltwiseInt8Table), output (packed int8 words, broadcast shape), u. */
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
  const WG = 256;
  const n = sizeOf(words);
  return {
    name,
    key: kernelKey('eltwise_int8', { WG }),
    code: `${code}\n${requantizeMathCode}`,
    entryPoint: 'main',
    constants: { WG },
    bindings: [
      { name: 'a', kind: 'read-only-storage' },
      { name: 'b', kind: 'read-only-storage' },
      { name: 'table', kind: 'read-only-storage' },
      { name: 'output', kind: 'storage' },
      { name: 'u', kind: 'uniform' },
    ],
    dispatch: dispatch1d(ceilDiv(n, WG)),
    uniforms: packUniforms([
      ...slotFields('u32', words, 1),
      ...slotFields('u32', A.strides, 0),
      ...slotFields('u32', B.strides, 0),
      ['u32', n], ['u32', c], ['u32', A.step], ['u32', B.step],
      ['i32', p.output.zeroPoint], ['u32', 0], ['u32', 0], ['u32', 0],
    ]),
  };
}
