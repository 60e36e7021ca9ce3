/**
 * What a shape rule sees of one node: its inputs' dtypes and shapes, the values of inputs that are constant
 * (initializers, or small values computed on the CPU while shapes propagate), and error helpers that name the
 * node, op and shapes.
 */
import { ModelError, type DType, type Node, type TensorData } from '../ir.ts';

/** A value's dtype and fixed shape. */
export interface TensorInfo {
  dtype: DType;
  shape: number[];
}

/** Computes the output infos of one node (one entry per declared output, '' outputs included). */
export type ShapeRule = (c: InferCtx) => TensorInfo[];

export class InferCtx {
  constructor(
    readonly node: Node,
    readonly opset: number,
    /** One per node input; undefined where the input is omitted (''). */
    readonly infos: (TensorInfo | undefined)[],
    /** One per node input; undefined where the value is not known. */
    readonly values: (TensorData | undefined)[],
  ) {}

  /** Throws a ModelError naming the node, op and the input shapes. */
  fail(message: string): never {
    const shapes = this.infos.map((t) => (t ? `[${t.shape}]` : '-')).join(', ');
    throw new ModelError(`${message} (input shapes: ${shapes})`, this.node.name, this.node.opType);
  }

  /** Whether input i is given (not omitted, not past the end). */
  has(i: number): boolean {
    return i < this.node.inputs.length && this.node.inputs[i] !== '';
  }

  /** The info of a required input. */
  in(i: number): TensorInfo {
    const t = this.infos[i];
    if (!this.has(i) || !t) this.fail(`input ${i} is missing`);
    return t;
  }

  /** The value of a required constant input (`what` names it in the error). */
  value(i: number, what: string): TensorData {
    const v = this.has(i) ? this.values[i] : undefined;
    if (!v) this.fail(`its ${what} input '${this.node.inputs[i] ?? ''}' must be a constant (known before running)`);
    return v;
  }

  /** A required constant integer (or float) input as plain numbers: an omitted one fails, naming it. */
  needInts(i: number, what: string): number[] {
    if (!this.has(i)) this.fail(`its ${what} input (input ${i}) is missing`);
    return this.ints(i, what)!;
  }

  /** A constant integer (or float) input as plain numbers; undefined when the input is omitted. */
  ints(i: number, what: string): number[] | undefined {
    if (!this.has(i)) return undefined;
    return Array.from(this.value(i, what).data as ArrayLike<number | bigint>, Number);
  }

  /** Normalizes a possibly negative axis against `rank`, failing when out of range. */
  axis(a: number, rank: number): number {
    const r = a < 0 ? a + rank : a;
    if (!Number.isInteger(r) || r < 0 || r >= rank) this.fail(`axis ${a} is out of range for rank ${rank}`);
    return r;
  }

  /** Same dtype and shape as input 0 (unary ops). */
  same(i = 0): TensorInfo[] {
    const t = this.in(i);
    return [{ dtype: t.dtype, shape: [...t.shape] }];
  }
}

/** Numpy-style broadcast of several shapes; `fail` reports incompatible dims. */
export function broadcastShapes(shapes: number[][], fail: (msg: string) => never): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    let d = 1;
    for (const s of shapes) {
      const x = s[s.length - rank + k] ?? 1;
      if (x === 1) continue;
      if (d !== 1 && d !== x) fail(`shapes ${shapes.map((s) => `[${s}]`).join(' and ')} do not broadcast`);
      d = x;
    }
    out.push(d);
  }
  return out;
}

export function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
