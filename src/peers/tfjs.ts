/**
 * TensorFlow.js (WebGPU backend) as a peer: executes our Graph IR with tf ops. 4-D activations are kept NHWC
 * (TF's native layout) and converted to NCHW only where an op needs ONNX's axis order (reshape, flatten,
 * transpose). Ops or attribute combinations TF cannot express are reported as unsupported, by node, before
 * anything runs; nothing is emulated on the CPU.
 */
import * as tf from '@tensorflow/tfjs';
import type { Graph, Node, TensorData } from '../runtime/ir.ts';
import { attrFloat, attrInt, attrInts, attrString } from '../runtime/ir.ts';

/** A value during execution: a tf tensor and whether it is a 4-D tensor held as NHWC. */
interface Val {
  t: tf.Tensor;
  nhwc: boolean;
}
type Env = Map<string, Val>;
/** Conv filters in TF layout, by node name, prepared once at load. */
type Filters = Map<string, tf.Tensor4D[]>;
type OpFn = (n: Node, x: Val[], filters: Filters) => Val | Val[];

export class UnsupportedError extends Error {}

const NCHW_TO_NHWC = [0, 2, 3, 1];
const NHWC_TO_NCHW = [0, 3, 1, 2];
const toNhwc = (v: Val): tf.Tensor4D => (v.nhwc ? v.t : tf.transpose(v.t, NCHW_TO_NHWC)) as tf.Tensor4D;
const toOnnx = (v: Val): tf.Tensor => (v.nhwc ? tf.transpose(v.t, NHWC_TO_NCHW) : v.t);
const onnxVal = (t: tf.Tensor): Val => ({ t, nhwc: false });
const nhwcVal = (t: tf.Tensor): Val => ({ t, nhwc: true });
/** ONNX axis of a 4-D tensor -> the axis in the stored layout. */
const axisOf = (v: Val, axis: number): number => {
  const a = axis < 0 ? axis + v.t.rank : axis;
  return v.nhwc ? NCHW_TO_NHWC.indexOf(a) : a;
};

function unsupported(n: Node, why: string): never {
  throw new UnsupportedError(`tfjs: ${n.opType} '${n.name}': ${why}`);
}

/** ONNX pads [top, left, bottom, right] -> TF explicit NHWC padding; 'same' for SAME_UPPER. */
function tfPad(n: Node): 'same' | [[number, number], [number, number], [number, number], [number, number]] {
  const auto = attrString(n, 'auto_pad', 'NOTSET');
  if (auto === 'SAME_UPPER') return 'same';
  if (auto === 'SAME_LOWER') unsupported(n, 'auto_pad SAME_LOWER');
  const [t, l, b, r] = attrInts(n, 'pads', [0, 0, 0, 0]);
  return [[0, 0], [t, b], [l, r], [0, 0]];
}

/** ONNX [co, ci/g, kh, kw] -> TF filters: conv2d [kh, kw, ci, co] (one per group), depthwise [kh, kw, ci, co/ci]. */
function prepareFilter(n: Node, w: tf.Tensor): tf.Tensor4D[] {
  if (w.rank !== 4) unsupported(n, `${w.rank - 2}-D convolution`);
  const [co, ciPerGroup, kh, kw] = w.shape;
  const group = attrInt(n, 'group', 1);
  if (group === 1) return [tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D];
  if (ciPerGroup === 1) return [tf.reshape(tf.transpose(w, [2, 3, 0, 1]), [kh, kw, group, co / group]) as tf.Tensor4D];
  return tf.split(w, group, 0).map((wg) => tf.transpose(wg, [2, 3, 1, 0]) as tf.Tensor4D);
}

function conv(n: Node, [x, , b]: Val[], prepared: Filters): Val {
  const filters = prepared.get(n.name)!;
  const group = attrInt(n, 'group', 1);
  const strides = attrInts(n, 'strides', [1, 1]) as [number, number];
  const dil = attrInts(n, 'dilations', [1, 1]) as [number, number];
  const pad = tfPad(n);
  const input = toNhwc(x);
  let y: tf.Tensor4D;
  if (group === 1) y = tf.conv2d(input, filters[0], strides, pad, 'NHWC', dil);
  else if (filters.length === 1 && group === input.shape[3]) y = tf.depthwiseConv2d(input, filters[0], strides, pad, 'NHWC', dil);
  else if (filters.length === group) {
    y = tf.concat(tf.split(input, group, 3).map((xi, g) => tf.conv2d(xi as tf.Tensor4D, filters[g], strides, pad, 'NHWC', dil)), 3);
  } else unsupported(n, `group ${group} with ${input.shape[3]} input channels`);
  return nhwcVal(b ? tf.add(y, b.t) : y);
}

function pool(kind: 'max' | 'avg') {
  return (n: Node, [x]: Val[]): Val => {
    const k = attrInts(n, 'kernel_shape', []) as [number, number];
    if (k.length !== 2) unsupported(n, `kernel_shape ${JSON.stringify(k)}`);
    if (attrInt(n, 'ceil_mode', 0)) unsupported(n, 'ceil_mode=1');
    if (attrInts(n, 'dilations', [1, 1]).some((d) => d !== 1)) unsupported(n, 'dilated pooling');
    const strides = attrInts(n, 'strides', [1, 1]) as [number, number];
    let input = toNhwc(x);
    let pad = tfPad(n);
    if (Array.isArray(pad) && pad.some(([a, c]) => a || c)) {
      // TF pools pad with "ignore" semantics; ONNX MaxPool does too, AveragePool only with count_include_pad=0.
      if (kind === 'avg' && !attrInt(n, 'count_include_pad', 0)) unsupported(n, 'explicit pads without count_include_pad');
      input = tf.pad(input, pad, kind === 'max' ? -3.4e38 : 0);
      pad = [[0, 0], [0, 0], [0, 0], [0, 0]];
    }
    const p = Array.isArray(pad) ? 'valid' : pad;
    return nhwcVal(kind === 'max' ? tf.maxPool(input, k, strides, p) : tf.avgPool(input, k, strides, p));
  };
}

function resize(n: Node, x: Val[]): Val {
  const mode = attrString(n, 'mode', 'nearest');
  const ctm = attrString(n, 'coordinate_transformation_mode', 'half_pixel');
  const input = toNhwc(x[0]);
  const [, h, w] = input.shape;
  const sizes = x[3] ? Array.from(x[3].t.dataSync()) : [];
  const scales = x[2] && x[2].t.size === 4 ? Array.from(x[2].t.dataSync()) : x[1] && x[1].t.size === 4 && n.inputs.length === 2 ? Array.from(x[1].t.dataSync()) : [];
  const size: [number, number] = sizes.length === 4 ? [sizes[2], sizes[3]] : scales.length === 4 ? [Math.floor(h * scales[2]), Math.floor(w * scales[3])] : unsupported(n, 'no constant scales or sizes');
  if (mode === 'nearest') {
    if (ctm !== 'asymmetric' || attrString(n, 'nearest_mode', 'round_prefer_floor') !== 'floor') unsupported(n, `nearest with ${ctm}/${attrString(n, 'nearest_mode', 'round_prefer_floor')}`);
    return nhwcVal(tf.image.resizeNearestNeighbor(input, size, false, false));
  }
  if (mode === 'linear') {
    if (ctm !== 'half_pixel' && ctm !== 'pytorch_half_pixel' && ctm !== 'align_corners') unsupported(n, `linear with ${ctm}`);
    return nhwcVal(tf.image.resizeBilinear(input, size, ctm === 'align_corners', ctm !== 'align_corners'));
  }
  return unsupported(n, `mode ${mode}`);
}

/** Elementwise binary op on values in a common layout (NHWC when either side is, with the other transposed). */
const binary = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): OpFn => (_n, [a, b]) => {
  if (a.nhwc && b.t.rank === 4 && !b.nhwc) return nhwcVal(f(a.t, toNhwc(b)));
  if (b.nhwc && a.t.rank === 4 && !a.nhwc) return nhwcVal(f(toNhwc(a), b.t));
  if ((a.nhwc || b.nhwc) && (a.t.rank !== 4 || b.t.rank !== 4)) {
    // Broadcasting a lower-rank constant over NCHW (e.g. [C,1,1]): go back to ONNX order for this op.
    return onnxVal(f(toOnnx(a), toOnnx(b)));
  }
  return { t: f(a.t, b.t), nhwc: a.nhwc };
};
const unary = (f: (a: tf.Tensor) => tf.Tensor): OpFn => (_n, [a]) => ({ t: f(a.t), nhwc: a.nhwc });
const ints = (v: Val | undefined): number[] => (v ? Array.from(v.t.dataSync()) : []);

const OPS: Record<string, OpFn> = {
  Add: binary(tf.add),
  AveragePool: pool('avg'),
  Clip: (n, [x, lo, hi]) => ({ t: tf.clipByValue(x.t, lo ? lo.t.dataSync()[0] : attrFloat(n, 'min', -3.4e38), hi ? hi.t.dataSync()[0] : attrFloat(n, 'max', 3.4e38)), nhwc: x.nhwc }),
  Concat: (n, xs) => {
    const nhwc = xs[0].t.rank === 4 && xs.some((v) => v.nhwc);
    const ts = xs.map((v) => (nhwc ? toNhwc(v) : v.t));
    return { t: tf.concat(ts, nhwc ? axisOf({ t: ts[0], nhwc: true }, attrInt(n, 'axis', 1)) : attrInt(n, 'axis', 1)), nhwc };
  },
  Conv: conv,
  Div: binary(tf.div),
  Flatten: (n, [x]) => {
    const t = toOnnx(x);
    const axis = attrInt(n, 'axis', 1);
    return onnxVal(tf.reshape(t, [t.shape.slice(0, axis).reduce((a, b) => a * b, 1), -1]));
  },
  Gemm: (n, [a, b, c]) => {
    let y = tf.matMul(toOnnx(a) as tf.Tensor2D, b.t as tf.Tensor2D, attrInt(n, 'transA', 0) === 1, attrInt(n, 'transB', 0) === 1);
    if (attrFloat(n, 'alpha', 1) !== 1) y = tf.mul(y, attrFloat(n, 'alpha', 1));
    if (c) y = tf.add(y, attrFloat(n, 'beta', 1) === 1 ? c.t : tf.mul(c.t, attrFloat(n, 'beta', 1)));
    return onnxVal(y);
  },
  GlobalAveragePool: (_n, [x]) => nhwcVal(tf.mean(toNhwc(x), [1, 2], true)),
  GlobalMaxPool: (_n, [x]) => nhwcVal(tf.max(toNhwc(x), [1, 2], true)),
  HardSigmoid: (n, [x]) => ({ t: tf.clipByValue(tf.add(tf.mul(x.t, attrFloat(n, 'alpha', 0.2)), attrFloat(n, 'beta', 0.5)), 0, 1), nhwc: x.nhwc }),
  HardSwish: unary((t) => tf.mul(t, tf.clipByValue(tf.add(tf.div(t, 6), 0.5), 0, 1))),
  Identity: (_n, [x]) => x,
  LeakyRelu: (n, [x]) => ({ t: tf.leakyRelu(x.t, attrFloat(n, 'alpha', 0.01)), nhwc: x.nhwc }),
  MatMul: (_n, [a, b]) => onnxVal(tf.matMul(toOnnx(a), toOnnx(b))),
  MaxPool: pool('max'),
  Mul: binary(tf.mul),
  Relu: unary(tf.relu),
  Reshape: (_n, [x, shape]) => {
    const t = toOnnx(x);
    const s = ints(shape).map((d, i) => (d === 0 ? t.shape[i] : d));
    return onnxVal(tf.reshape(t, s));
  },
  Resize: resize,
  Sigmoid: unary(tf.sigmoid),
  Softmax: (n, [x]) => {
    const t = toOnnx(x);
    const a = (attrInt(n, 'axis', -1) + t.rank) % t.rank;
    if (a === t.rank - 1) return onnxVal(tf.softmax(t, -1));
    // tf.softmax works on the last axis only: swap the axis there and back (opset >= 13 semantics).
    const perm = t.shape.map((_, i) => (i === a ? t.rank - 1 : i === t.rank - 1 ? a : i));
    return onnxVal(tf.transpose(tf.softmax(tf.transpose(t, perm), -1), perm));
  },
  Split: (n, [x, splitInput]) => {
    const sizes = splitInput ? ints(splitInput) : attrInts(n, 'split', []);
    const parts = tf.split(x.t, sizes.length ? sizes : n.outputs.length, axisOf(x, attrInt(n, 'axis', 0)));
    return parts.map((t) => ({ t, nhwc: x.nhwc }));
  },
  Sub: binary(tf.sub),
  Tanh: unary(tf.tanh),
  Transpose: (n, [x]) => onnxVal(tf.transpose(toOnnx(x), attrInts(n, 'perm', []).length ? attrInts(n, 'perm', []) : undefined)),
};

/** The ops this executor knows (for the page's capability column). */
export const TFJS_OPS = Object.keys(OPS).sort();

const ARRAY: Partial<Record<TensorData['dtype'], (d: TensorData) => tf.Tensor>> = {
  float32: (d) => tf.tensor(d.data as Float32Array, d.dims, 'float32'),
  int64: (d) => tf.tensor(Int32Array.from(d.data as BigInt64Array, Number), d.dims, 'int32'),
  int32: (d) => tf.tensor(d.data as Int32Array, d.dims, 'int32'),
};

/** A compiled TF.js executor for one graph. Create with `TfjsModel.create`. */
export class TfjsModel {
  private constructor(private readonly graph: Graph, private readonly consts: Env, private readonly filters: Filters) {}

  /** Selects the WebGPU backend, checks every op, uploads initializers. Throws UnsupportedError naming the node. */
  static async create(graph: Graph): Promise<TfjsModel> {
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the WebGPU backend failed to initialise');
    await tf.ready();
    const bad = graph.nodes.filter((n) => n.domain !== '' || !OPS[n.opType]);
    if (bad.length) throw new UnsupportedError(`tfjs executor: unsupported op(s) ${[...new Set(bad.map((n) => n.opType))].join(', ')} (first: '${bad[0].name}')`);
    const consts: Env = new Map();
    for (const [name, d] of graph.initializers) {
      const make = ARRAY[d.dtype];
      if (!make) throw new UnsupportedError(`tfjs executor: initializer '${name}' has dtype ${d.dtype}`);
      consts.set(name, onnxVal(make(d)));
    }
    const filters: Filters = new Map();
    for (const n of graph.nodes.filter((c) => c.opType === 'Conv')) {
      const w = consts.get(n.inputs[1]);
      if (!w) throw new UnsupportedError(`tfjs executor: Conv '${n.name}' has non-constant weights`);
      filters.set(n.name, tf.tidy(() => prepareFilter(n, w.t)));
    }
    return new TfjsModel(graph, consts, filters);
  }

  /** Runs the graph on NCHW float input and returns the outputs in ONNX layout, downloaded to the host. */
  async run(feeds: Record<string, { dims: number[]; data: Float32Array }>): Promise<Record<string, { dims: number[]; data: Float32Array }>> {
    const outs = tf.tidy(() => {
      const env: Env = new Map(this.consts);
      for (const [name, f] of Object.entries(feeds)) env.set(name, onnxVal(tf.tensor(f.data, f.dims, 'float32')));
      for (const n of this.graph.nodes) {
        const xs = n.inputs.map((i) => (i === '' ? undefined : env.get(i))) as Val[];
        const r = OPS[n.opType](n, xs, this.filters);
        (Array.isArray(r) ? r : [r]).forEach((v, i) => env.set(n.outputs[i], v));
      }
      return this.graph.outputs.map((o) => toOnnx(env.get(o.name)!));
    });
    const result: Record<string, { dims: number[]; data: Float32Array }> = {};
    for (const [i, o] of this.graph.outputs.entries()) {
      result[o.name] = { dims: outs[i].shape, data: (await outs[i].data()) as Float32Array };
      outs[i].dispose();
    }
    return result;
  }

  dispose(): void {
    for (const v of this.consts.values()) v.t.dispose();
    for (const f of this.filters.values()) f.forEach((t) => t.dispose());
  }
}
