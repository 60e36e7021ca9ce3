/**
 * Shape rules against onnxruntime: each case builds a one-node model with random sizes and attributes, infers
 * its output shapes, runs it in onnxruntime-node and compares the shapes and dtypes onnxruntime produced.
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../src/runtime/ir.ts';
import { load } from '../src/runtime/onnx/load.ts';
import { save } from '../src/runtime/onnx/save.ts';
import { inferShapes } from '../src/runtime/shapes/infer.ts';
import { ortRunModel } from './fixtures/ort-run.ts';
import { float, int, ints, randomFeeds, singleOp, str } from './fixtures/single-op.ts';
import { type Rng, testRng } from './helpers/rng.ts';

const ORT_DTYPE: Record<string, string> = { float32: 'float32', int64: 'int64', int32: 'int32', uint8: 'uint8', int8: 'int8' };

async function checkAgainstOrt(g: Graph, rng: Rng): Promise<void> {
  const ours = inferShapes(load(save(g)));
  g.outputs = ours.outputs.map((o) => ({ ...o, shape: o.shape.map((_, k) => `${o.name}_d${k}`) }));
  const got = await ortRunModel(save(g), randomFeeds(g, rng));
  for (const o of ours.outputs) {
    expect(o.shape, `${g.nodes[0].opType} output ${o.name}`).toEqual(got[o.name].dims);
    expect(ORT_DTYPE[o.dtype]).toBe(got[o.name].type);
  }
}

const img = (r: Rng, c = r.int(1, 4)): number[] => [r.int(1, 2), c, r.int(5, 13), r.int(5, 13)];
const filled = (shape: number[], v = 0.5): number[] => Array(shape.reduce((a, b) => a * b, 1)).fill(v);
const pick = <T>(r: Rng, xs: T[]): T => xs[r.int(0, xs.length - 1)];
const perm = (r: Rng, n: number): number[] => {
  const p = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(0, i);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
};

const CASES: Record<string, (r: Rng) => Graph> = {
  Conv: (r) => {
    const group = r.int(1, 2);
    const x = img(r, group * r.int(1, 3));
    const k = [r.int(1, 3), r.int(1, 3)];
    const autoPad = pick(r, ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']);
    const attrs = { strides: ints([r.int(1, 3), r.int(1, 3)]), dilations: ints(autoPad.startsWith('SAME') ? [1, 1] : [r.int(1, 2), r.int(1, 2)]), group: int(group),
      auto_pad: str(autoPad), ...(autoPad === 'NOTSET' ? { pads: ints([0, 1, 2, 1].map((m) => r.int(0, m))) } : {}) };
    const w = [group * r.int(1, 3), x[1] / group, ...k];
    const bias = r.int(0, 1) ? [{ shape: [w[0]], values: filled([w[0]]) }] : [];
    return singleOp('Conv', [{ shape: x }, { shape: w, values: filled(w) }, ...bias], attrs);
  },
  MaxPool: (r) => pool('MaxPool', r),
  AveragePool: (r) => pool('AveragePool', r),
  GlobalAveragePool: (r) => singleOp('GlobalAveragePool', [{ shape: img(r) }]),
  Gemm: (r) => {
    const [m, k, n, ta, tb] = [r.int(1, 5), r.int(1, 5), r.int(1, 5), r.int(0, 1), r.int(0, 1)];
    return singleOp('Gemm', [{ shape: ta ? [k, m] : [m, k] }, { shape: tb ? [n, k] : [k, n] }, { shape: pick(r, [[n], [1, n], [m, n], []]) }],
      { transA: int(ta), transB: int(tb), alpha: float(0.5) });
  },
  MatMul: (r) => {
    const [m, k, n] = [r.int(1, 4), r.int(1, 4), r.int(1, 4)];
    const a = pick(r, [[k], [m, k], [3, m, k], [2, 1, m, k]]);
    const b = pick(r, [[k], [k, n], [3, k, n], [1, 3, k, n]]);
    return singleOp('MatMul', [{ shape: a }, { shape: b }]);
  },
  Add: (r) => singleOp(pick(r, ['Add', 'Sub', 'Mul', 'Div', 'Pow']), [{ shape: [r.int(1, 3), 1, r.int(1, 4)] }, { shape: pick(r, [[1], [], [r.int(2, 3), 1]]) }]),
  Unary: (r) => singleOp(pick(r, ['Relu', 'Sigmoid', 'Tanh', 'Sqrt', 'Exp', 'Identity', 'LeakyRelu', 'HardSigmoid', 'HardSwish']), [{ shape: img(r) }]),
  Clip: (r) => singleOp('Clip', [{ shape: img(r) }, { shape: [], values: [-1] }, r.int(0, 1) ? { shape: [], values: [1] } : null]),
  Softmax: (r) => singleOp('Softmax', [{ shape: img(r) }], { axis: int(r.int(-4, 3)) }, { opset: pick(r, [11, 13]) }),
  BatchNormalization: (r) => {
    const x = img(r);
    const p = { shape: [x[1]], values: Array(x[1]).fill(1) };
    return singleOp('BatchNormalization', [{ shape: x }, p, p, p, p]);
  },
  ReduceMean: (r) => {
    const x = img(r);
    const axes = [...new Set([r.int(-4, 3), r.int(-4, 3)])];
    const opset = pick(r, [13, 18]);
    const keep = { keepdims: int(r.int(0, 1)) };
    return opset < 18 ? singleOp('ReduceMean', [{ shape: x }], { axes: ints(axes), ...keep }, { opset })
      : singleOp('ReduceMean', [{ shape: x }, { shape: [axes.length], dtype: 'int64', values: axes }], keep, { opset });
  },
  Flatten: (r) => singleOp('Flatten', [{ shape: img(r) }], { axis: int(r.int(-4, 4)) }),
  Reshape: (r) => {
    const x = [2, r.int(1, 3), 4, r.int(1, 3)];
    const spec = pick(r, [[0, -1], [-1, 0, 4], [0, 0, 2, 2, -1], [-1, 0, x[3]]]);
    return singleOp('Reshape', [{ shape: x }, { shape: [spec.length], dtype: 'int64', values: spec }]);
  },
  Transpose: (r) => singleOp('Transpose', [{ shape: img(r) }], r.int(0, 1) ? { perm: ints(perm(r, 4)) } : {}),
  Concat: (r) => {
    const x = img(r);
    const axis = r.int(-4, 3);
    const y = [...x];
    y[(axis + 4) % 4] = r.int(1, 3);
    return singleOp('Concat', [{ shape: x }, { shape: y }], { axis: int(axis) });
  },
  Split: (r) => {
    const x = [r.int(1, 2), 6, r.int(2, 7)];
    const opset = pick(r, [11, 13, 18]);
    if (opset === 11) return singleOp('Split', [{ shape: x }], { axis: int(1), split: ints([1, 5]) }, { opset, outputs: 2 });
    if (opset === 13) return singleOp('Split', [{ shape: x }, { shape: [3], dtype: 'int64', values: [2, 1, 3] }], { axis: int(1) }, { opset, outputs: 3 });
    return singleOp('Split', [{ shape: x }], { axis: int(-1), num_outputs: int(2) }, { opset, outputs: 2 });
  },
  Slice: (r) => {
    const x = img(r);
    const axes = [...new Map([r.int(-4, 3), r.int(-4, 3)].map((a) => [(a + 4) % 4, a])).values()];
    const big = 2 ** 62;
    const i64 = (values: number[]) => ({ shape: [values.length], dtype: 'int64' as const, values });
    return singleOp('Slice', [{ shape: x }, i64(axes.map(() => r.int(-15, 15))), i64(axes.map(() => pick(r, [r.int(-15, 15), big, -big]))),
      i64(axes), i64(axes.map(() => pick(r, [1, 2, -1, -3])))]);
  },
  Gather: (r) => {
    const x = img(r);
    const axis = r.int(-4, 3);
    const dim = x[(axis + 4) % 4];
    const idxShape = pick(r, [[], [2], [2, 3]]);
    const n = idxShape.reduce((a, b) => a * b, 1);
    return singleOp('Gather', [{ shape: x }, { shape: idxShape, dtype: 'int64', values: Array.from({ length: n }, () => r.int(-dim, dim - 1)) }], { axis: int(axis) });
  },
  Resize: (r) => {
    const x = img(r);
    const opset = pick(r, [11, 13, 18]);
    const useSizes = r.int(0, 1);
    const scales = useSizes ? { shape: [0], values: [] } : { shape: [4], values: [1, 1, pick(r, [0.5, 2, 1.7]), pick(r, [2, 3, 0.6])] };
    const sizes = useSizes ? { shape: [4], dtype: 'int64' as const, values: [x[0], x[1], r.int(1, 20), r.int(1, 20)] } : null;
    const roi = opset === 11 ? { shape: [0], values: [] } : null;
    return singleOp('Resize', [{ shape: x }, roi, opset > 11 && !useSizes ? scales : scales, sizes].slice(0, useSizes ? 4 : 3),
      { mode: str(pick(r, ['nearest', 'linear'])) }, { opset });
  },
  Pad: (r) => {
    const x = img(r);
    const pads = Array.from({ length: 8 }, (_, i) => r.int(x[i % 4] > 2 ? -1 : 0, 3));
    return singleOp('Pad', [{ shape: x }, { shape: [8], dtype: 'int64', values: pads }], { mode: str('constant') },
      { opset: pick(r, [11, 13, 18]) });
  },
  Shape: (r) => singleOp('Shape', [{ shape: img(r) }], r.int(0, 1) ? { start: int(r.int(-4, 3)), end: int(r.int(-4, 5)) } : {}, { opset: 15 }),
  Unsqueeze: (r) => {
    const axes = [...new Set([r.int(-6, 5), r.int(-6, 5)])].filter((a) => a >= -5 && a <= 4).slice(0, 1);
    const opset = pick(r, [11, 13]);
    return opset === 11 ? singleOp('Unsqueeze', [{ shape: img(r) }], { axes: ints(axes) }, { opset })
      : singleOp('Unsqueeze', [{ shape: img(r) }, { shape: [axes.length], dtype: 'int64', values: axes }], {}, { opset });
  },
  Squeeze: (r) => {
    const opset = pick(r, [11, 13]);
    const x = [1, r.int(2, 3), 1, r.int(1, 2)];
    const axes = pick(r, [[0], [-2, 0], null]);
    if (!axes) return singleOp('Squeeze', [{ shape: x }], {}, { opset });
    return opset === 11 ? singleOp('Squeeze', [{ shape: x }], { axes: ints(axes) }, { opset })
      : singleOp('Squeeze', [{ shape: x }, { shape: [axes.length], dtype: 'int64', values: axes }], {}, { opset });
  },
  Cast: (r) => singleOp('Cast', [{ shape: img(r) }], { to: int(pick(r, [1, 6, 7])) }),
  ConstantOfShape: (r) => singleOp('ConstantOfShape', [{ shape: [3], dtype: 'int64', values: [r.int(1, 3), 2, r.int(0, 2)] }]),
  Range: (r) => singleOp('Range', [{ shape: [], values: [r.int(-5, 5)] }, { shape: [], values: [r.int(-5, 15) + 0.5] }, { shape: [], values: [pick(r, [1, 2.5, -1, -0.5])] }]),
  Expand: (r) => singleOp('Expand', [{ shape: [r.int(1, 3), 1] }, { shape: [3], dtype: 'int64', values: [2, 1, r.int(1, 4)] }]),
  QuantizeLinear: (r) => {
    const x = img(r);
    const perAxis = r.int(0, 1);
    const s = perAxis ? { shape: [x[1]], values: Array(x[1]).fill(0.1) } : { shape: [], values: [0.1] };
    const zp = { ...s, dtype: pick(r, ['int8', 'uint8'] as const), values: s.values.map(() => 3) };
    return singleOp('QuantizeLinear', [{ shape: x }, s, zp], {});
  },
  DequantizeLinear: (r) => {
    const x = img(r);
    return singleOp('DequantizeLinear', [{ shape: x, dtype: 'int8', values: filled(x, 5) }, { shape: [x[1]], values: Array(x[1]).fill(0.5) }], { axis: int(1) });
  },
};

function pool(op: string, r: Rng): Graph {
  const k = [r.int(1, 3), r.int(1, 3)];
  const pads = [k[0] - 1, k[1] - 1, k[0] - 1, k[1] - 1].map((m) => r.int(0, m));
  return singleOp(op, [{ shape: img(r) }], { kernel_shape: ints(k), strides: ints([r.int(1, 3), r.int(1, 3)]), pads: ints(pads),
    ceil_mode: int(r.int(0, 1)) }, { opset: pick(r, [11, 19]) });
}

describe('shape rules agree with onnxruntime', () => {
  for (const [name, make] of Object.entries(CASES)) {
    it(name, async () => {
      const rng = testRng();
      for (let i = 0; i < 6; i++) await checkAgainstOrt(make(rng), rng);
    });
  }
});
