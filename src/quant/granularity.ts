/**
 * Which elements of a tensor share one (scale, zero point): the whole tensor, one channel, or one group.
 *
 * The parameters of a tensor of shape `dims` form a small tensor of shape `paramShape(dims, g)`, row-major; an
 * element's "slot" is its index in that tensor.
 * - tensor:  shape [] (one slot).
 * - channel: shape [dims[axis]]; slot = the element's index along `axis` (OIHW weights: axis 0).
 * - group:   blocks of `groupSize` consecutive indices along `axis` (the reduction axis), separately for every
 *            index of the other axes; shape = dims with dims[axis] replaced by ceil(dims[axis] / groupSize).
 *            For [N, K] weights with axis 1 that is the usual "per output row, per block of K"; reshape OIHW
 *            conv weights to [O, I*H*W] (or [O, H, W, I] with axis 3) to get blocks of the flattened reduction.
 *            The last block of an axis that is not a multiple of groupSize is short.
 */

export type Granularity =
  | { kind: 'tensor' }
  | { kind: 'channel'; axis: number }
  | { kind: 'group'; axis: number; groupSize: number };

export const PER_TENSOR: Granularity = { kind: 'tensor' };

/** Checks dims and the axis (negative axes count from the end) and returns the axis as a non-negative index. */
function checkAxis(dims: readonly number[], g: Granularity): number {
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`granularity: bad dims [${dims}]`);
  if (g.kind === 'tensor') return -1;
  const axis = g.axis < 0 ? g.axis + dims.length : g.axis;
  if (!Number.isInteger(axis) || axis < 0 || axis >= dims.length) {
    throw new Error(`granularity ${g.kind}: axis ${g.axis} out of range for dims [${dims}]`);
  }
  if (g.kind === 'group' && (!Number.isInteger(g.groupSize) || g.groupSize < 1)) {
    throw new Error(`granularity group: groupSize must be a positive integer, got ${g.groupSize}`);
  }
  return axis;
}

/** Shape of the parameter tensor (see the module comment). */
export function paramShape(dims: readonly number[], g: Granularity): number[] {
  const axis = checkAxis(dims, g);
  if (g.kind === 'tensor') return [];
  if (g.kind === 'channel') return [dims[axis]];
  return dims.map((d, i) => (i === axis ? Math.ceil(d / g.groupSize) : d));
}

/** Number of slots (parameter sets). */
export function paramCount(dims: readonly number[], g: Granularity): number {
  return paramShape(dims, g).reduce((a, b) => a * b, 1);
}

/** A function from flat element index (row-major over `dims`) to slot index. */
export function slotIndexer(dims: readonly number[], g: Granularity): (i: number) => number {
  const axis = checkAxis(dims, g);
  if (g.kind === 'tensor') return () => 0;
  const n = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  if (g.kind === 'channel') return (i) => Math.floor(i / inner) % n;
  const size = g.groupSize;
  const blocks = Math.ceil(n / size);
  return (i) => {
    const rest = i % inner;
    const t = (i - rest) / inner;
    const c = t % n;
    const outer = (t - c) / n;
    return (outer * blocks + Math.floor(c / size)) * inner + rest;
  };
}

/** Per-slot minimum and maximum of x; slots without elements get [0, 0]. */
export interface SlotRanges {
  min: Float64Array;
  max: Float64Array;
}

/** Min and max of x in every slot. Throws on non-finite values (they have no meaningful range). */
export function slotRanges(x: ArrayLike<number>, dims: readonly number[], g: Granularity): SlotRanges {
  checkLength(x, dims);
  const count = paramCount(dims, g);
  const slot = slotIndexer(dims, g);
  const min = new Float64Array(count).fill(Infinity);
  const max = new Float64Array(count).fill(-Infinity);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) throw new Error(`slotRanges: non-finite value ${v} at index ${i}`);
    const s = slot(i);
    if (v < min[s]) min[s] = v;
    if (v > max[s]) max[s] = v;
  }
  for (let s = 0; s < count; s++) if (min[s] > max[s]) min[s] = max[s] = 0;
  return { min, max };
}

/** The values of each slot, gathered (used by searches that evaluate one slot at a time). */
export function gatherSlots(x: ArrayLike<number>, dims: readonly number[], g: Granularity): Float32Array[] {
  checkLength(x, dims);
  const count = paramCount(dims, g);
  const slot = slotIndexer(dims, g);
  const sizes = new Int32Array(count);
  for (let i = 0; i < x.length; i++) sizes[slot(i)]++;
  const out = Array.from(sizes, (n) => new Float32Array(n));
  const fill = new Int32Array(count);
  for (let i = 0; i < x.length; i++) {
    const s = slot(i);
    out[s][fill[s]++] = x[i];
  }
  return out;
}

export function checkLength(x: ArrayLike<number>, dims: readonly number[]): void {
  const n = dims.reduce((a, b) => a * b, 1);
  if (x.length !== n) throw new Error(`quant: data has ${x.length} elements, dims [${dims}] need ${n}`);
}
