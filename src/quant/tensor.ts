/**
 * Quantize and dequantize whole tensors, per tensor, per channel or per group (see granularity.ts), with the
 * arithmetic of affine.ts applied element by element.
 *
 * Codes are stored unpacked, one per element, in the smallest typed array that holds them:
 * signed <= 8 bits -> Int8Array, unsigned <= 8 bits -> Uint8Array, then Int16Array / Uint16Array up to 16 bits.
 * packing.ts turns 8- and 4-bit codes into the u32 words the GPU reads.
 */
import { type QParams, type SchemeOptions, chooseQParams, dequantizeValue, quantizeValue } from './affine.ts';
import { type Granularity, type SlotRanges, checkLength, paramCount, paramShape, slotIndexer } from './granularity.ts';

export type QuantizedArray = Int8Array | Uint8Array | Int16Array | Uint16Array;

/** Parameters for a tensor quantized per channel or per group (also valid, with one slot, per tensor). */
export interface TensorQParams {
  /** Shape of the tensor these parameters apply to. */
  dims: number[];
  granularity: Granularity;
  /** One entry per slot, in `paramShape(dims, granularity)` row-major order. */
  scale: Float32Array;
  invScale: Float32Array;
  zeroPoint: Int32Array;
  qmin: number;
  qmax: number;
  bits: number;
  signed: boolean;
}

/** Per-tensor parameters (a plain QParams) or per-slot ones. */
export type AnyQParams = QParams | TensorQParams;

export function isTensorQParams(p: AnyQParams): p is TensorQParams {
  return 'granularity' in p;
}

/** Parameters for every slot from its range (e.g. `slotRanges` or an MSE search), all under one scheme. */
export function chooseTensorQParams(
  ranges: SlotRanges,
  dims: readonly number[],
  granularity: Granularity,
  scheme: SchemeOptions = {},
): TensorQParams {
  const count = paramCount(dims, granularity);
  if (ranges.min.length !== count || ranges.max.length !== count) {
    throw new Error(`chooseTensorQParams: ${ranges.min.length} ranges for ${count} slots of [${paramShape(dims, granularity)}]`);
  }
  const per = Array.from({ length: count }, (_, s) => chooseQParams({ min: ranges.min[s], max: ranges.max[s] }, scheme));
  return fromSlots(per, dims, granularity);
}

/** Builds TensorQParams from one QParams per slot (all with the same integer range). */
export function fromSlots(per: QParams[], dims: readonly number[], granularity: Granularity): TensorQParams {
  const first = per[0];
  if (!first) throw new Error('fromSlots: no slots');
  return {
    dims: [...dims],
    granularity,
    scale: Float32Array.from(per, (p) => p.scale),
    invScale: Float32Array.from(per, (p) => p.invScale),
    zeroPoint: Int32Array.from(per, (p) => p.zeroPoint),
    qmin: first.qmin,
    qmax: first.qmax,
    bits: first.bits,
    signed: first.signed,
  };
}

/** The QParams of one slot. */
export function slotParams(p: TensorQParams, slot: number): QParams {
  return {
    scale: p.scale[slot],
    invScale: p.invScale[slot],
    zeroPoint: p.zeroPoint[slot],
    qmin: p.qmin,
    qmax: p.qmax,
    bits: p.bits,
    signed: p.signed,
  };
}

/** An empty array of the storage type for `bits` / `signed`. */
export function allocCodes(n: number, bits: number, signed: boolean): QuantizedArray {
  if (bits <= 8) return signed ? new Int8Array(n) : new Uint8Array(n);
  return signed ? new Int16Array(n) : new Uint16Array(n);
}

/** Visits every element with the parameters of its slot. */
function forEachWithParams(n: number, p: AnyQParams, f: (i: number, q: QParams) => void): void {
  if (!isTensorQParams(p)) {
    for (let i = 0; i < n; i++) f(i, p);
    return;
  }
  const per = Array.from(p.scale, (_, s) => slotParams(p, s));
  const slot = slotIndexer(p.dims, p.granularity);
  for (let i = 0; i < n; i++) f(i, per[slot(i)]);
}

function checkTensor(n: ArrayLike<number>, p: AnyQParams): void {
  if (isTensorQParams(p)) checkLength(n, p.dims);
}

/** Codes of x (see affine.ts for the exact arithmetic). */
export function quantizeTensor(x: ArrayLike<number>, p: AnyQParams): QuantizedArray {
  checkTensor(x, p);
  const out = allocCodes(x.length, p.bits, p.signed);
  forEachWithParams(x.length, p, (i, q) => {
    out[i] = quantizeValue(x[i], q);
  });
  return out;
}

/** Real values of codes q: Math.fround((q - z) * s) per element. */
export function dequantizeTensor(q: ArrayLike<number>, p: AnyQParams): Float32Array {
  checkTensor(q, p);
  const out = new Float32Array(q.length);
  forEachWithParams(q.length, p, (i, qp) => {
    out[i] = dequantizeValue(q[i], qp);
  });
  return out;
}

