/** Shape rules of data-movement ops: Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Concat, Split, Gather, Expand. */
import { attrInt, attrInts } from '../ir.ts';
import { broadcastShapes, type InferCtx, product, type TensorInfo } from './context.ts';

/** Reshape: 0 copies the input dim (unless allowzero=1, opset 14+), one -1 takes what is left. */
export function reshape(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  const spec = c.needInts(1, 'shape');
  const allowZero = attrInt(c.node, 'allowzero', 0) === 1;
  const shape = spec.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
  if (shape.some((d) => d === undefined || d < -1)) c.fail(`invalid target shape [${spec}]`);
  const minus = shape.filter((d) => d === -1).length;
  if (minus > 1) c.fail(`target shape [${spec}] has more than one -1`);
  const known = product(shape.filter((d) => d !== -1));
  const total = product(x.shape);
  if (minus === 1) {
    if (known === 0 || total % known) c.fail(`cannot reshape [${x.shape}] to [${spec}]`);
    shape[shape.indexOf(-1)] = total / known;
  } else if (known !== total) {
    c.fail(`cannot reshape [${x.shape}] (${total} elements) to [${spec}] (${known})`);
  }
  return [{ dtype: x.dtype, shape }];
}

/** Flatten: [prod(dims[:axis]), prod(dims[axis:])], axis default 1, may be negative. */
export function flatten(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  const r = x.shape.length;
  let axis = attrInt(c.node, 'axis', 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r) c.fail(`axis ${attrInt(c.node, 'axis', 1)} is out of range for rank ${r}`);
  return [{ dtype: x.dtype, shape: [product(x.shape.slice(0, axis)), product(x.shape.slice(axis))] }];
}

/** Transpose: perm defaults to reversing the dims. */
export function transpose(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  const r = x.shape.length;
  const perm = attrInts(c.node, 'perm', [...Array(r).keys()].reverse());
  if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    c.fail(`perm [${perm}] is not a permutation of ${r} axes`);
  }
  return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
}

/** Squeeze: axes from the attribute (opset < 13) or input 1 (13+); no axes removes every 1. */
export function squeeze(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  const r = x.shape.length;
  const given = c.has(1) ? c.ints(1, 'axes')! : c.node.attrs.axes ? attrInts(c.node, 'axes', []) : undefined;
  const axes = given ? given.map((a) => c.axis(a, r)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of axes) if (x.shape[a] !== 1) c.fail(`cannot squeeze axis ${a} of size ${x.shape[a]}`);
  return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
}

/** Unsqueeze: axes (attribute before 13, input from 13) index the output, which has rank r + len(axes). */
export function unsqueeze(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  const given = c.has(1) ? c.ints(1, 'axes')! : attrInts(c.node, 'axes', []);
  const rank = x.shape.length + given.length;
  const axes = given.map((a) => c.axis(a, rank));
  if (new Set(axes).size !== axes.length) c.fail(`repeated axes [${given}]`);
  const rest = [...x.shape];
  const shape = Array.from({ length: rank }, (_, i) => (axes.includes(i) ? 1 : rest.shift()!));
  return [{ dtype: x.dtype, shape }];
}

/** Concat along `axis`: other dims must agree. */
export function concat(c: InferCtx): TensorInfo[] {
  const ins = c.node.inputs.map((_, i) => c.in(i));
  if (ins.length === 0) c.fail('needs at least one input');
  const r = ins[0].shape.length;
  const axis = c.axis(attrInt(c.node, 'axis', 0), r);
  const shape = [...ins[0].shape];
  shape[axis] = 0;
  for (const t of ins) {
    if (t.shape.length !== r || t.shape.some((d, i) => i !== axis && d !== shape[i])) {
      c.fail(`inputs do not agree outside axis ${axis}`);
    }
    if (t.dtype !== ins[0].dtype) c.fail(`input dtypes differ: ${ins[0].dtype} and ${t.dtype}`);
    shape[axis] += t.shape[axis];
  }
  return [{ dtype: ins[0].dtype, shape }];
}

/** The sizes Split cuts along its axis (shared with the CPU implementation). */
export function splitSizes(c: InferCtx, dim: number): number[] {
  const n = c.node.outputs.length;
  const given = c.has(1) ? c.ints(1, 'split')! : c.node.attrs.split ? attrInts(c.node, 'split', []) : undefined;
  if (given) {
    if (given.length !== n || given.reduce((a, b) => a + b, 0) !== dim) c.fail(`split [${given}] does not cut ${dim} into ${n}`);
    return given;
  }
  // opset 18 `num_outputs`: chunks of ceil(dim / n), the last one smaller. Earlier opsets require an even split.
  const parts = attrInt(c.node, 'num_outputs', n);
  const chunk = Math.ceil(dim / parts);
  if (!c.node.attrs.num_outputs && dim % parts) c.fail(`cannot split ${dim} evenly into ${parts} outputs`);
  return Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
}

export function split(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  const axis = c.axis(attrInt(c.node, 'axis', 0), x.shape.length);
  return splitSizes(c, x.shape[axis]).map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === axis ? s : d)) }));
}

/** Gather: data[:axis] + indices.shape + data[axis+1:]. */
export function gather(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  const idx = c.in(1);
  if (idx.dtype !== 'int64' && idx.dtype !== 'int32') c.fail(`indices must be int32 or int64, got ${idx.dtype}`);
  const axis = c.axis(attrInt(c.node, 'axis', 0), x.shape.length);
  // Constant indices are checked here, before any GPU work: the GPU kernel would clamp an out-of-range index.
  const known = c.has(1) ? c.values[1] : undefined;
  if (known) {
    const dim = x.shape[axis];
    const bad = Array.from(known.data as ArrayLike<number | bigint>, Number).find((k) => !(k >= -dim && k < dim));
    if (bad !== undefined) c.fail(`index ${bad} is out of range for axis ${axis} of size ${dim}`);
  }
  return [{ dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)] }];
}

/** Expand: bidirectional broadcast of the input with the constant `shape` input. */
export function expand(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  const shape = c.needInts(1, 'shape');
  return [{ dtype: x.dtype, shape: broadcastShapes([x.shape, shape], (m) => c.fail(m)) }];
}
