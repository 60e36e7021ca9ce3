/**
 * Naive CPU references over row-major n-d arrays (numbers in, numbers out): index arithmetic written
 * independently of the kernels' stride tricks. Float results are computed in f64 and compared with a tolerance.
 */
import type { Activation } from '../../src/shaders/activation.ts';
import { activation } from './activation.ts';
import type { UnaryOp } from '../../src/shaders/unary.ts';

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function strides(shape: readonly number[]): number[] {
  const s = shape.map(() => 1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

/** Calls fn(index, flat) for every multi-index of `shape` in row-major order. */
export function forEachIndex(shape: readonly number[], fn: (idx: number[], flat: number) => void): void {
  const n = size(shape);
  const idx = shape.map(() => 0);
  for (let flat = 0; flat < n; flat++) {
    fn(idx, flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

export const flatIndex = (idx: readonly number[], shape: readonly number[]): number =>
  idx.reduce((acc, v, d) => acc * shape[d] + v, 0);

/** numpy broadcasting of two shapes. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => {
    const x = a[i - r + a.length] ?? 1;
    const y = b[i - r + b.length] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`cannot broadcast [${a}] with [${b}]`);
    return Math.max(x, y);
  });
}

/** Value of broadcast input `x` (shape `s`) at output index `idx`. */
export function broadcastAt(x: ArrayLike<number>, s: readonly number[], idx: readonly number[]): number {
  const off = idx.length - s.length;
  return x[flatIndex(s.map((d, i) => (d === 1 ? 0 : idx[i + off])), s)];
}

export type BinaryOpName = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min';

export function binaryScalar(op: BinaryOpName, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    case 'pow': return a ** b;
    case 'max': return Math.max(a, b);
    case 'min': return Math.min(a, b);
  }
}

export function binaryRef(
  op: BinaryOpName, a: ArrayLike<number>, as: number[], b: ArrayLike<number>, bs: number[], act?: Activation,
): Float64Array {
  const shape = broadcastShape(as, bs);
  const out = new Float64Array(size(shape));
  forEachIndex(shape, (idx, i) => {
    out[i] = activation(binaryScalar(op, broadcastAt(a, as, idx), broadcastAt(b, bs, idx)), act);
  });
  return out;
}

export function softmaxRef(x: ArrayLike<number>, shape: number[], axis: number, log = false): Float64Array {
  const a = axis < 0 ? axis + shape.length : axis;
  const out = new Float64Array(size(shape));
  const st = strides(shape);
  forEachIndex(shape, (idx, i) => {
    if (idx[a] !== 0) return;
    const at = (j: number): number => i + j * st[a];
    let m = -Infinity;
    for (let j = 0; j < shape[a]; j++) m = Math.max(m, x[at(j)]);
    let sum = 0;
    for (let j = 0; j < shape[a]; j++) sum += Math.exp(x[at(j)] - m);
    for (let j = 0; j < shape[a]; j++) out[at(j)] = log ? x[at(j)] - m - Math.log(sum) : Math.exp(x[at(j)] - m) / sum;
  });
  return out;
}

export function gatherRef(x: ArrayLike<number>, shape: number[], axis: number, indices: ArrayLike<number>, indShape: number[]): number[] {
  const a = axis < 0 ? axis + shape.length : axis;
  const outShape = [...shape.slice(0, a), ...indShape, ...shape.slice(a + 1)];
  const out: number[] = [];
  forEachIndex(outShape, (idx) => {
    const k = flatIndex(idx.slice(a, a + indShape.length), indShape);
    const j = indices[k] < 0 ? indices[k] + shape[a] : indices[k];
    out.push(x[flatIndex([...idx.slice(0, a), j, ...idx.slice(a + indShape.length)], shape)]);
  });
  return out;
}

export function reduceRef(x: ArrayLike<number>, shape: number[], axes: number[], op: 'mean' | 'sum' | 'max' | 'min'): Float64Array {
  const set = new Set((axes.length ? axes : shape.map((_, i) => i)).map((a) => (a < 0 ? a + shape.length : a)));
  const keptShape = shape.map((d, i) => (set.has(i) ? 1 : d));
  const acc = new Float64Array(size(keptShape)).fill(op === 'max' ? -Infinity : op === 'min' ? Infinity : 0);
  forEachIndex(shape, (idx, i) => {
    const o = flatIndex(idx.map((v, d) => (set.has(d) ? 0 : v)), keptShape);
    if (op === 'max') acc[o] = Math.max(acc[o], x[i]);
    else if (op === 'min') acc[o] = Math.min(acc[o], x[i]);
    else acc[o] += x[i];
  });
  if (op === 'mean') {
    const count = size(shape) / size(keptShape);
    for (let i = 0; i < acc.length; i++) acc[i] /= count;
  }
  return acc;
}

/** erf by its Maclaurin series (|x| <= 4; beyond, erf = sign(x) to 1e-8). */
function erfRef(x: number): number {
  if (Math.abs(x) > 4) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-17; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** Reference of the unary ops in unary.wgsl (f64). */
export function unaryOpRef(x: number, op: UnaryOp): number {
  switch (op.kind) {
    case 'identity': return x;
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'sqrt': return Math.sqrt(x);
    case 'rsqrt': return 1 / Math.sqrt(x);
    case 'tanh': return Math.tanh(x);
    case 'neg': return -x;
    case 'abs': return Math.abs(x);
    case 'reciprocal': return 1 / x;
    case 'floor': return Math.floor(x);
    case 'ceil': return Math.ceil(x);
    case 'round': {
      const f = Math.floor(x);
      return x - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(x);
    }
    case 'erf': return erfRef(x);
    case 'pow': return x ** op.exponent;
    case 'affine': return x * op.scale + op.bias;
  }
}
