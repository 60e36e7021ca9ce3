/** Shape rules of Gemm, MatMul and ReduceMean. */
import { attrInt, attrInts } from '../ir.ts';
import { broadcastShapes, type InferCtx, type TensorInfo } from './context.ts';

/** Gemm: A [M,K] (or [K,M] with transA), B [K,N] (or [N,K] with transB), C broadcast to [M,N]. */
export function gemm(c: InferCtx): TensorInfo[] {
  const a = c.in(0).shape;
  const b = c.in(1).shape;
  if (a.length !== 2 || b.length !== 2) c.fail(`A [${a}] and B [${b}] must be 2-D`);
  const [m, ka] = attrInt(c.node, 'transA', 0) ? [a[1], a[0]] : a;
  const [kb, n] = attrInt(c.node, 'transB', 0) ? [b[1], b[0]] : b;
  if (ka !== kb) c.fail(`inner dims differ: A [${a}] and B [${b}] (transA ${attrInt(c.node, 'transA', 0)}, transB ${attrInt(c.node, 'transB', 0)})`);
  if (c.has(2)) {
    const cs = c.in(2).shape;
    const out = broadcastShapes([cs, [m, n]], () => c.fail(`C [${cs}] does not broadcast to [${m},${n}]`));
    if (out.join() !== [m, n].join()) c.fail(`C [${cs}] does not broadcast to [${m},${n}]`);
  }
  return [{ dtype: c.in(0).dtype, shape: [m, n] }];
}

/** MatMul with numpy semantics: 1-D operands get a dim added then removed; batch dims broadcast. */
export function matmul(c: InferCtx): TensorInfo[] {
  const a0 = c.in(0).shape;
  const b0 = c.in(1).shape;
  if (a0.length === 0 || b0.length === 0) c.fail('operands must have rank >= 1');
  const a = a0.length === 1 ? [1, a0[0]] : a0;
  const b = b0.length === 1 ? [b0[0], 1] : b0;
  if (a[a.length - 1] !== b[b.length - 2]) c.fail(`inner dims differ: [${a0}] x [${b0}]`);
  const batch = broadcastShapes([a.slice(0, -2), b.slice(0, -2)], (m) => c.fail(m));
  const shape = [...batch];
  if (a0.length > 1) shape.push(a[a.length - 2]);
  if (b0.length > 1) shape.push(b[b.length - 1]);
  return [{ dtype: c.in(0).dtype, shape }];
}

/** ReduceMean: axes attribute (opset < 18) or input (18+); keepdims default 1; no axes reduces all dims. */
export function reduceMean(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  const r = x.shape.length;
  const given = c.has(1) ? c.ints(1, 'axes')! : attrInts(c.node, 'axes', []);
  if (given.length === 0 && attrInt(c.node, 'noop_with_empty_axes', 0)) return c.same();
  const axes = given.length ? given.map((a) => c.axis(a, r)) : [...Array(r).keys()];
  const keep = attrInt(c.node, 'keepdims', 1) === 1;
  const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  return [{ dtype: x.dtype, shape }];
}
