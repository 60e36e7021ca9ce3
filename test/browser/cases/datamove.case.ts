/**
 * Data movement and the small float ops: transpose, slice, concat, split, pad (f32 and packed int8), resize
 * (nearest / linear, f32 and int8), softmax / logsoftmax, gather, reduce. Run by the Chromium suite and, as
 * test/datamove.test.ts, under Node. References test/reference/{slice,resize,ops}.ts. Copies are exact (the f32
 * values are moved, never computed).
 */
import type { GpuContext } from '../../../src/gpu/device.ts';
import { createStorage, encodeAndSubmit, readBuffer, uploadBuffer } from '../../../src/gpu/exec.ts';
import { concatKernels } from '../../../src/shaders/concat.ts';
import { gatherKernel } from '../../../src/shaders/gather.ts';
import type { KernelSpec } from '../../../src/shaders/kernel.ts';
import { type PadMode, padKernel } from '../../../src/shaders/pad.ts';
import { type ReduceOp, reduceKernel, reduceShape } from '../../../src/shaders/reduce.ts';
import { type CoordMode, type NearestMode, resizeCoords, resizeKernel } from '../../../src/shaders/resize.ts';
import { sliceKernel } from '../../../src/shaders/slice.ts';
import { softmaxKernel } from '../../../src/shaders/softmax.ts';
import { splitKernels } from '../../../src/shaders/split.ts';
import { transposeKernel } from '../../../src/shaders/transpose.ts';
import { gatherRef, reduceRef, size, softmaxRef } from '../../reference/ops.ts';
import { packRows } from '../../reference/quantize.ts';
import { resizeRef } from '../../reference/resize.ts';
import { concatRef, padRef, sliceRef, splitRef, transposeRef } from '../../reference/slice.ts';
import { type Case, EXACT, FLOAT_TOL, type Outcome, type Rng, checkSpec, exactOutcome, floatOutcome, runSpec, worst } from '../suite.ts';

const shuffle = (r: Rng, xs: number[]): number[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
};
const randShape = (r: Rng, rank: number, max = 5): number[] => Array.from({ length: rank }, () => r.int(1, max));
/** Packed int8 words of a logical int8 tensor whose last axis is channels (padding lanes 0). */
const pack = (x: ArrayLike<number>, shape: number[]): Uint32Array => packRows(x, size(shape) / shape[shape.length - 1], shape[shape.length - 1]);
const awkwardC = (r: Rng): number => r.pick([3, 5, 17, 8]);
const f32Words = (x: ArrayLike<number>): Uint32Array => new Uint32Array(Float32Array.from(x).buffer);
const f32 = (x: ArrayLike<number>): Float32Array => Float32Array.from(x);

/** Kernels reading `inputs[i % inputs.length]` and writing `outputs[i % outputs.length]`, in one pass. */
async function runCopies(device: GPUDevice, specs: KernelSpec[], inputs: Uint32Array[], outputWords: number[]): Promise<Uint32Array[]> {
  specs.forEach(checkSpec);
  const ins = inputs.map((x) => uploadBuffer(device, x));
  const outs = outputWords.map((n) => createStorage(device, n * 4));
  await encodeAndSubmit(device, specs.map((spec, i) => ({ spec, buffers: { input: ins[i % ins.length], output: outs[i % outs.length] } })));
  const res = await Promise.all(outs.map(async (b, i) => new Uint32Array(await readBuffer(device, b, outputWords[i] * 4))));
  [...ins, ...outs].forEach((b) => b.destroy());
  return res;
}
const asF32 = (w: Uint32Array): Float32Array => new Float32Array(w.buffer, w.byteOffset, w.length);

/** `name` with its body, an exact comparison. */
const exact = (name: string, run: (gpu: GpuContext, r: Rng) => Promise<Outcome>): Case => ({ name, tolerance: EXACT, run });

export const cases: Case[] = [
  exact('transpose f32 random perm, rank 1..6; int8 NHWC -> NWHC', async ({ device }, r) => {
    const outs: Outcome[] = [];
    for (let rank = 1; rank <= 6; rank++) {
      const shape = randShape(r, rank, rank > 4 ? 3 : 5);
      const perm = shuffle(r, shape.map((_, i) => i));
      const x = r.floats(size(shape));
      const [got] = await runCopies(device, [transposeKernel(shape, perm)], [f32Words(x)], [x.length]);
      outs.push(exactOutcome(asF32(got), f32(transposeRef(x, shape, perm)), `[${shape}] perm [${perm}]`, true));
    }
    const shape = [r.int(1, 2), r.int(1, 5), r.int(1, 5), awkwardC(r)];
    const perm = [0, 2, 1, 3];
    const q = r.int8s(size(shape));
    const [got] = await runCopies(device, [transposeKernel(shape, perm, 'i8x4')], [pack(q, shape)], [pack(q, shape).length]);
    outs.push(exactOutcome(got, pack(transposeRef(q, shape, perm), perm.map((p) => shape[p])), `int8 [${shape}]`, true));
    return worst(...outs);
  }),
  exact('slice f32 negative steps, clamping; int8 spatial step -2 + channel cut', async ({ device }, r) => {
    const outs: Outcome[] = [];
    for (let t = 0; t < 6; t++) {
      const shape = randShape(r, r.int(1, 4), 7);
      const axes = shuffle(r, shape.map((_, i) => i)).slice(0, r.int(1, shape.length)).map((a) => (r.next() < 0.3 ? a - shape.length : a));
      const steps = axes.map(() => (r.next() < 0.5 ? -r.int(1, 3) : r.int(1, 3)));
      const starts = axes.map(() => r.int(-9, 9));
      const ends = axes.map((_, i) => (r.next() < 0.2 ? (steps[i] < 0 ? -1e9 : 1e9) : r.int(-9, 9)));
      const x = r.floats(size(shape));
      const want = sliceRef(x, shape, starts, ends, axes, steps);
      const [got] = await runCopies(device, [sliceKernel(shape, { starts, ends, axes, steps })], [f32Words(x)], [want.data.length]);
      outs.push(exactOutcome(asF32(got), f32(want.data), `[${shape}] ${starts}:${ends}:${steps} axes ${axes}`, true));
    }
    const shape = [1, r.int(2, 6), r.int(2, 6), 17];
    const q = r.int8s(size(shape));
    const p = { starts: [-1, 4], ends: [-1e9, 17], axes: [1, 3], steps: [-2, 1] };
    const cut = sliceRef(q, shape, p.starts, p.ends, p.axes, p.steps);
    const want = pack(cut.data, cut.shape);
    const [got] = await runCopies(device, [sliceKernel(shape, p, 'i8x4')], [pack(q, shape)], [want.length]);
    outs.push(exactOutcome(got, want, `int8 [${shape}]`, true));
    return worst(...outs);
  }),
  exact('concat f32 on a random axis, int8 on channels 8 + 4 + c; split f32 and int8', async ({ device }, r) => {
    const outs: Outcome[] = [];
    const base = randShape(r, r.int(1, 4), 4);
    const axis = r.int(0, base.length - 1);
    const shapes = [0, 1, 2].map(() => base.map((d, i) => (i === axis ? r.int(1, 4) : d)));
    const xs = shapes.map((s) => r.floats(size(s)));
    const want = concatRef(xs, shapes, axis);
    const [got] = await runCopies(device, concatKernels(shapes, axis - (r.next() < 0.5 ? base.length : 0)), xs.map(f32Words), [want.length]);
    outs.push(exactOutcome(asF32(got), f32(want), `concat [${shapes.join('] [')}] axis ${axis}`, true));

    const [h, w] = [r.int(1, 5), r.int(1, 5)];
    const cs = [8, 4, awkwardC(r)];
    const qs = cs.map((c) => ({ shape: [1, h, w, c], x: r.int8s(h * w * c) }));
    const qwant = pack(concatRef(qs.map((q) => q.x), qs.map((q) => q.shape), 3), [1, h, w, 12 + cs[2]]);
    const [qgot] = await runCopies(device, concatKernels(qs.map((q) => q.shape), 3, 'i8x4'), qs.map((q) => pack(q.x, q.shape)), [qwant.length]);
    outs.push(exactOutcome(qgot, qwant, `int8 concat channels ${cs}`, true));

    const shape = randShape(r, r.int(1, 4), 6);
    const sAxis = r.int(0, shape.length - 1);
    const cut = r.int(0, shape[sAxis]);
    const sizes = [cut, shape[sAxis] - cut].filter((s) => s > 0);
    const x = r.floats(size(shape));
    const parts = splitRef(x, shape, sAxis, sizes);
    const split = await runCopies(device, splitKernels(shape, sAxis, sizes), [f32Words(x)], parts.map((p) => p.length));
    split.forEach((g, i) => outs.push(exactOutcome(asF32(g), f32(parts[i]), `split [${shape}] axis ${sAxis} part ${i}`, true)));

    const qshape = [1, r.int(1, 4), r.int(1, 4), 8 + awkwardC(r)];
    const qsizes = [4, 4, qshape[3] - 8];
    const q = r.int8s(size(qshape));
    const qparts = splitRef(q, qshape, 3, qsizes).map((d, i) => pack(d, [...qshape.slice(0, 3), qsizes[i]]));
    const qsplit = await runCopies(device, splitKernels(qshape, 3, qsizes, 'i8x4'), [pack(q, qshape)], qparts.map((p) => p.length));
    qsplit.forEach((g, i) => outs.push(exactOutcome(g, qparts[i], `int8 split [${qshape}] part ${i}`, true)));
    return worst(...outs);
  }),
  ...(['constant', 'reflect', 'edge'] as PadMode[]).map((mode) => exact(`pad f32 ${mode}, rank 1..4, asymmetric pads`, async ({ device }, r) => {
    const outs: Outcome[] = [];
    for (let rank = 1; rank <= 4; rank++) {
      const shape = randShape(r, rank, 5).map((d) => d + 1);
      const pads = [...shape, ...shape].map((d) => r.int(0, mode === 'reflect' ? d - 1 : 3));
      const value = r.uniform(-2, 2);
      const x = r.floats(size(shape));
      const want = padRef(x, shape, pads, mode, value);
      const [got] = await runCopies(device, [padKernel(shape, { mode, pads, value })], [f32Words(x)], [want.length]);
      outs.push(exactOutcome(asF32(got), f32(want), `[${shape}] pads [${pads}]`, true));
    }
    return worst(...outs);
  })),
  exact('pad int8 spatial with the zero point', async ({ device }, r) => {
    const shape = [1, r.int(1, 5), r.int(1, 5), awkwardC(r)];
    const pads = [0, r.int(0, 2), r.int(0, 2), 0, 0, r.int(0, 2), r.int(0, 2), 0];
    const zp = r.int(-20, 20);
    const x = r.int8s(size(shape));
    const outShape = shape.map((d, i) => d + pads[i] + pads[i + 4]);
    const expected = packRows(padRef(x, shape, pads, 'constant', zp), size(outShape) / shape[3], shape[3]);
    // The padding lanes of a padded pixel hold the zero point too.
    const padded = padRef(Array.from({ length: size(shape) }, () => 0), shape, pads, 'constant', 1);
    const cw = Math.ceil(shape[3] / 4);
    for (let p = 0; p < size(outShape) / shape[3]; p++) {
      if (padded[p * shape[3]] === 1) for (let j = 0; j < cw; j++) expected[p * cw + j] = (zp & 0xff) * 0x01010101;
    }
    const [got] = await runCopies(device, [padKernel(shape, { mode: 'constant', pads, value: zp }, 'i8x4')], [pack(x, shape)], [expected.length]);
    return exactOutcome(got, expected, `[${shape}] pads [${pads}]`, true);
  }),
  exact('resize nearest, every coordinate x rounding mode (f32), 2x int8', async ({ device }, r) => {
    const outs: Outcome[] = [];
    const coords: CoordMode[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];
    const nearest: NearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
    for (const coord of coords) for (const nm of nearest) {
      const shape = { n: 1, h: r.int(1, 6), w: r.int(1, 6), c: awkwardC(r) };
      const p = { mode: 'nearest' as const, coord, nearest: nm, outH: r.int(1, 11), outW: r.int(1, 11) };
      const x = r.floats(shape.h * shape.w * shape.c);
      const out = await runSpec(device, resizeKernel(shape, p), { input: x, coords: resizeCoords(shape, p) }, { output: p.outH * p.outW * shape.c * 4 });
      outs.push(exactOutcome(new Float32Array(out.output), f32(resizeRef(x, 1, shape.h, shape.w, shape.c, p)), `${coord} ${nm} ${shape.h}x${shape.w}->${p.outH}x${p.outW}`, true));
    }
    const shape = { n: 1, h: r.int(1, 5), w: r.int(1, 5), c: awkwardC(r) };
    const p = { mode: 'nearest' as const, coord: 'asymmetric' as const, nearest: 'floor' as const, outH: 2 * shape.h, outW: 2 * shape.w };
    const q = r.int8s(shape.h * shape.w * shape.c);
    const want = pack(resizeRef(q, 1, shape.h, shape.w, shape.c, p), [p.outH, p.outW, shape.c]);
    const out = await runSpec(device, resizeKernel(shape, p, 'i8x4'), { input: pack(q, [shape.h, shape.w, shape.c]), coords: resizeCoords(shape, p) }, { output: want.length * 4 });
    outs.push(exactOutcome(new Uint32Array(out.output), want, 'int8 2x', true));
    return worst(...outs);
  }),
  {
    name: 'resize linear, every coordinate mode (f32)',
    tolerance: FLOAT_TOL,
    async run({ device }, r) {
      const outs: Outcome[] = [];
      for (const coord of ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as CoordMode[]) {
        const shape = { n: r.int(1, 2), h: r.int(1, 6), w: r.int(1, 6), c: awkwardC(r) };
        const p = { mode: 'linear' as const, coord, outH: r.int(1, 11), outW: r.int(1, 11) };
        const x = r.floats(shape.n * shape.h * shape.w * shape.c);
        const n = shape.n * p.outH * p.outW * shape.c;
        const out = await runSpec(device, resizeKernel(shape, p), { input: x, coords: resizeCoords(shape, p) }, { output: n * 4 });
        outs.push(floatOutcome(new Float32Array(out.output), resizeRef(x, shape.n, shape.h, shape.w, shape.c, p), coord));
      }
      return worst(...outs);
    },
  },
  {
    name: 'softmax / logsoftmax along a random axis',
    tolerance: FLOAT_TOL,
    async run({ device }, r) {
      const outs: Outcome[] = [];
      for (const log of [false, true]) for (let t = 0; t < 3; t++) {
        const shape = randShape(r, r.int(1, 4), 7);
        const axis = r.int(-shape.length, shape.length - 1);
        const x = r.floats(size(shape), -20, 20);
        const out = await runSpec(device, softmaxKernel(shape, { axis, log }), { input: x }, { output: x.length * 4 });
        outs.push(floatOutcome(new Float32Array(out.output), softmaxRef(x, shape, axis, log), `[${shape}] axis ${axis} log ${log}`));
      }
      return worst(...outs);
    },
  },
  exact('gather f32 on a random axis with negative indices; int8 on a spatial axis', async ({ device }, r) => {
    const outs: Outcome[] = [];
    for (let t = 0; t < 4; t++) {
      const shape = randShape(r, r.int(1, 4), 5);
      const axis = r.int(0, shape.length - 1);
      const indShape = randShape(r, r.int(0, 2), 3);
      const idx = Int32Array.from({ length: size(indShape) }, () => r.int(-shape[axis], shape[axis] - 1));
      const x = r.floats(size(shape));
      const want = gatherRef(x, shape, axis, idx, indShape);
      const out = await runSpec(device, gatherKernel(shape, axis, idx.length), { input: x, indices: idx }, { output: want.length * 4 });
      outs.push(exactOutcome(new Float32Array(out.output), f32(want), `[${shape}] axis ${axis} indices [${idx}]`, true));
    }
    const qshape = [1, r.int(2, 5), r.int(1, 4), awkwardC(r)];
    const qidx = Int32Array.from([r.int(-qshape[1], -1), r.int(0, qshape[1] - 1)]);
    const q = r.int8s(size(qshape));
    const want = pack(gatherRef(q, qshape, 1, qidx, [2]), [1, 2, qshape[2], qshape[3]]);
    const out = await runSpec(device, gatherKernel(qshape, 1, 2, 'i8x4'), { input: pack(q, qshape), indices: qidx }, { output: want.length * 4 });
    outs.push(exactOutcome(new Uint32Array(out.output), want, `int8 [${qshape}] indices [${qidx}]`, true));
    return worst(...outs);
  }),
  ...(['mean', 'sum', 'max', 'min'] as ReduceOp[]).map((op): Case => ({
    name: `reduce ${op} over random axes (none: all), keepdims either way`,
    tolerance: FLOAT_TOL,
    async run({ device }, r) {
      const outs: Outcome[] = [];
      for (let t = 0; t < 3; t++) {
        const shape = randShape(r, r.int(1, 5), 5);
        const axes = t === 0 ? [] : shuffle(r, shape.map((_, i) => i)).slice(0, r.int(1, shape.length));
        const keepDims = r.next() < 0.5;
        const x = r.floats(size(shape));
        const n = size(reduceShape(shape, { op, axes, keepDims }));
        const out = await runSpec(device, reduceKernel(shape, { op, axes, keepDims }), { input: x }, { output: n * 4 });
        outs.push(floatOutcome(new Float32Array(out.output), reduceRef(x, shape, axes, op), `[${shape}] axes [${axes}]`));
      }
      return worst(...outs);
    },
  })),
];
