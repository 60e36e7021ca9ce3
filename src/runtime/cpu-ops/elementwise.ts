/** CPU Add/Sub/Mul/Div/Pow (numpy broadcasting), Sqrt, Exp, Cast, for folding small constant tensors. */
import type { TensorData } from '../ir.ts';
import { isFloat } from '../onnx/dtypes.ts';
import type { InferCtx, TensorInfo } from '../shapes/context.ts';
import { broadcastStrides, fromNumbers, stridedOffsets, toNumbers } from './tensor.ts';

type Fn2 = (a: number, b: number) => number;

const BINARY: Record<string, Fn2> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Pow: (a, b) => a ** b,
};

/** Elementwise binary op; integer Div truncates toward zero (as C++ and onnxruntime do). */
export function binaryOp(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  const [a, b] = [c.value(0, 'A'), c.value(1, 'B')];
  const f = BINARY[c.node.opType];
  const ints = !isFloat(out.dtype);
  const av = toNumbers(a);
  const bv = toNumbers(b);
  if (ints && c.node.opType === 'Div' && bv.includes(0)) c.fail('integer division by zero');
  const ia = stridedOffsets(out.shape, broadcastStrides(a.dims, out.shape));
  const ib = stridedOffsets(out.shape, broadcastStrides(b.dims, out.shape));
  const r = new Float64Array(ia.length);
  for (let i = 0; i < r.length; i++) {
    const v = f(av[ia[i]], bv[ib[i]]);
    r[i] = ints ? Math.trunc(v) : v;
  }
  return [fromNumbers(out.dtype, out.shape, r)];
}

/** Sqrt and Exp on float tensors. */
export function unaryOp(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  const f = c.node.opType === 'Sqrt' ? Math.sqrt : Math.exp;
  return [fromNumbers(out.dtype, out.shape, toNumbers(c.value(0, 'X')).map(f))];
}

/** Cast: float -> int truncates toward zero, anything -> bool is != 0, int64 -> float rounds. */
export function castOp(c: InferCtx, [out]: TensorInfo[]): TensorData[] {
  return [fromNumbers(out.dtype, out.shape, toNumbers(c.value(0, 'input')))];
}
