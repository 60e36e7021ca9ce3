import { describe, expect, it } from 'vitest';
import { createStorage, encodeAndSubmit, readBuffer, runKernel, uploadBuffer } from '../src/gpu/exec.ts';
import { concatKernels } from '../src/shaders/concat.ts';
import { gatherKernel } from '../src/shaders/gather.ts';
import type { KernelSpec } from '../src/shaders/kernel.ts';
import { type PadMode, padKernel } from '../src/shaders/pad.ts';
import { reduceKernel, reduceShape, type ReduceOp } from '../src/shaders/reduce.ts';
import { type CoordMode, type NearestMode, resizeCoords, resizeKernel } from '../src/shaders/resize.ts';
import { sliceKernel } from '../src/shaders/slice.ts';
import { softmaxKernel } from '../src/shaders/softmax.ts';
import { splitKernels } from '../src/shaders/split.ts';
import { transposeKernel } from '../src/shaders/transpose.ts';
import { testGpu } from './helpers/gpu.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';
import { type Rng, relError, testRng } from './helpers/rng.ts';
import { gatherRef, reduceRef, size, softmaxRef } from './reference/ops.ts';
import { packRows } from './reference/quantize.ts';
import { resizeRef } from './reference/resize.ts';
import { concatRef, padRef, sliceRef, splitRef, transposeRef } from './reference/slice.ts';

const shuffle = (rng: Rng, xs: number[]): number[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
};
const randShape = (rng: Rng, rank: number, max = 5): number[] => Array.from({ length: rank }, () => rng.int(1, max));
/** Packed int8 words of a logical int8 tensor whose last axis is channels (padding lanes 0). */
const pack = (x: ArrayLike<number>, shape: number[]): Uint32Array => packRows(x, size(shape) / shape[shape.length - 1], shape[shape.length - 1]);
const awkwardC = (rng: Rng): number => [3, 5, 17, 8][rng.int(0, 3)];

/** Runs kernels that read `inputs[i % inputs.length]` and write `outputs[i % outputs.length]` in one pass. */
async function runCopies(specs: KernelSpec[], inputs: Uint32Array[], outputWords: number[]): Promise<Uint32Array[]> {
  const { device } = await testGpu();
  specs.forEach(expectBindingsMatch);
  const ins = inputs.map((x) => uploadBuffer(device, x));
  const outs = outputWords.map((n) => createStorage(device, n * 4));
  await encodeAndSubmit(device, specs.map((spec, i) => ({ spec, buffers: { input: ins[i % ins.length], output: outs[i % outs.length] } })));
  const res = await Promise.all(outs.map(async (b, i) => new Uint32Array(await readBuffer(device, b, outputWords[i] * 4))));
  [...ins, ...outs].forEach((b) => b.destroy());
  return res;
}
const f32Words = (x: ArrayLike<number>): Uint32Array => new Uint32Array(Float32Array.from(x).buffer);
const fromWords = (w: Uint32Array): number[] => Array.from(new Float32Array(w.buffer));

describe('transpose', () => {
  it('any perm, rank 1..6, f32', async () => {
    const rng = testRng();
    for (let rank = 1; rank <= 6; rank++) {
      const shape = randShape(rng, rank, rank > 4 ? 3 : 5);
      const perm = shuffle(rng, shape.map((_, i) => i));
      const x = rng.floats(size(shape));
      const spec = transposeKernel(shape, perm);
      const [got] = await runCopies([spec], [f32Words(x)], [x.length]);
      expect(fromWords(got), `shape [${shape}] perm [${perm}]`).toEqual(Array.from(transposeRef(x, shape, perm), Math.fround));
    }
  });
  it('packed int8 keeps the channel axis last; refuses to move it', async () => {
    const rng = testRng();
    const shape = [rng.int(1, 2), rng.int(1, 5), rng.int(1, 5), awkwardC(rng)];
    const perm = [0, 2, 1, 3];
    const x = rng.int8s(size(shape));
    const [got] = await runCopies([transposeKernel(shape, perm, 'i8x4')], [pack(x, shape)], [pack(x, shape).length]);
    expect(Array.from(got)).toEqual(Array.from(pack(transposeRef(x, shape, perm), perm.map((p) => shape[p]))));
    expect(() => transposeKernel(shape, [0, 3, 1, 2], 'i8x4')).toThrow(/channel axis/);
  });
});

describe('slice', () => {
  it('starts/ends/axes/steps incl. negative steps and clamping, f32', async () => {
    const rng = testRng();
    for (let t = 0; t < 6; t++) {
      const shape = randShape(rng, rng.int(1, 4), 7);
      const axes = shuffle(rng, shape.map((_, i) => i)).slice(0, rng.int(1, shape.length)).map((a) => (rng.next() < 0.3 ? a - shape.length : a));
      const steps = axes.map(() => (rng.next() < 0.5 ? -rng.int(1, 3) : rng.int(1, 3)));
      const starts = axes.map(() => rng.int(-9, 9));
      const ends = axes.map((_, i) => (rng.next() < 0.2 ? (steps[i] < 0 ? -1e9 : 1e9) : rng.int(-9, 9)));
      const x = rng.floats(size(shape));
      const want = sliceRef(x, shape, starts, ends, axes, steps);
      const spec = sliceKernel(shape, { starts, ends, axes, steps });
      const [got] = await runCopies([spec], [f32Words(x)], [want.data.length]);
      expect(fromWords(got), `shape [${shape}] ${starts}:${ends}:${steps} axes ${axes}`).toEqual(want.data.map(Math.fround));
    }
  });
  it('packed int8: spatial negative step and channel cut at a multiple of 4', async () => {
    const rng = testRng();
    const shape = [1, rng.int(2, 6), rng.int(2, 6), 17];
    const x = rng.int8s(size(shape));
    const p = { starts: [-1, 4], ends: [-1e9, 17], axes: [1, 3], steps: [-2, 1] };
    const want = sliceRef(x, shape, p.starts, p.ends, p.axes, p.steps);
    const [got] = await runCopies([sliceKernel(shape, p, 'i8x4')], [pack(x, shape)], [pack(want.data, want.shape).length]);
    expect(Array.from(got)).toEqual(Array.from(pack(want.data, want.shape)));
    expect(() => sliceKernel(shape, { starts: [2], ends: [9], axes: [3] }, 'i8x4')).toThrow(/multiples of 4/);
  });
});

describe('concat and split', () => {
  it('concat along a random axis (f32) and along packed channels', async () => {
    const rng = testRng();
    const base = randShape(rng, rng.int(1, 4), 4);
    const axis = rng.int(0, base.length - 1);
    const shapes = [0, 1, 2].map(() => base.map((d, i) => (i === axis ? rng.int(1, 4) : d)));
    const xs = shapes.map((s) => rng.floats(size(s)));
    const want = concatRef(xs, shapes, axis);
    const specs = concatKernels(shapes, axis - (rng.next() < 0.5 ? base.length : 0));
    const [got] = await runCopies(specs, xs.map(f32Words), [want.length]);
    expect(fromWords(got)).toEqual(want.map(Math.fround));

    const [h, w] = [rng.int(1, 5), rng.int(1, 5)];
    const cs = [8, 4, awkwardC(rng)];
    const qs = cs.map((c) => ({ shape: [1, h, w, c], x: rng.int8s(h * w * c) }));
    const qwant = concatRef(qs.map((q) => q.x), qs.map((q) => q.shape), 3);
    const outShape = [1, h, w, 12 + cs[2]];
    const [qgot] = await runCopies(concatKernels(qs.map((q) => q.shape), 3, 'i8x4'), qs.map((q) => pack(q.x, q.shape)), [pack(qwant, outShape).length]);
    expect(Array.from(qgot)).toEqual(Array.from(pack(qwant, outShape)));
    expect(() => concatKernels([[1, 2, 2, 5], [1, 2, 2, 4]], 3, 'i8x4')).toThrow(/multiples of 4/);
  });
  it('split along a random axis (f32) and along packed channels', async () => {
    const rng = testRng();
    const shape = randShape(rng, rng.int(1, 4), 6);
    const axis = rng.int(0, shape.length - 1);
    const cut = rng.int(0, shape[axis]);
    const sizes = [cut, shape[axis] - cut].filter((s) => s > 0);
    const x = rng.floats(size(shape));
    const want = splitRef(x, shape, axis, sizes);
    const specs = splitKernels(shape, axis, sizes);
    const got = await runCopies(specs, [f32Words(x)], want.map((w) => w.length));
    got.forEach((g, i) => expect(fromWords(g)).toEqual(want[i].map(Math.fround)));

    const qshape = [1, rng.int(1, 4), rng.int(1, 4), 8 + awkwardC(rng)];
    const qsizes = [4, 4, qshape[3] - 8];
    const q = rng.int8s(size(qshape));
    const qwant = splitRef(q, qshape, 3, qsizes).map((d, i) => pack(d, [...qshape.slice(0, 3), qsizes[i]]));
    const qgot = await runCopies(splitKernels(qshape, 3, qsizes, 'i8x4'), [pack(q, qshape)], qwant.map((w) => w.length));
    qgot.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(qwant[i])));
  });
});

describe('pad', () => {
  for (const mode of ['constant', 'reflect', 'edge'] as PadMode[]) {
    it(`${mode}, f32 rank 1..4 with asymmetric pads`, async () => {
      const rng = testRng();
      for (let rank = 1; rank <= 4; rank++) {
        const shape = randShape(rng, rank, 5).map((d) => d + 1);
        const pads = [...shape, ...shape].map((d) => rng.int(0, mode === 'reflect' ? d - 1 : 3));
        const value = rng.uniform(-2, 2);
        const x = rng.floats(size(shape));
        const want = padRef(x, shape, pads, mode, value);
        const spec = padKernel(shape, { mode, pads, value });
        const [got] = await runCopies([spec], [f32Words(x)], [want.length]);
        expect(fromWords(got), `[${shape}] pads [${pads}]`).toEqual(want.map(Math.fround));
      }
    });
  }
  it('packed int8 spatial pad with the zero point', async () => {
    const rng = testRng();
    const shape = [1, rng.int(1, 5), rng.int(1, 5), awkwardC(rng)];
    const pads = [0, rng.int(0, 2), rng.int(0, 2), 0, 0, rng.int(0, 2), rng.int(0, 2), 0];
    const zp = rng.int(-20, 20);
    const x = rng.int8s(size(shape));
    const want = padRef(x, shape, pads, 'constant', zp);
    const outShape = shape.map((d, i) => d + pads[i] + pads[i + 4]);
    // padded lanes of a padded pixel hold zp too, so build the expectation with pad lanes = zp there
    const expected = packRows(want, size(outShape) / shape[3], shape[3]);
    const padded = padRef(Array.from({ length: size(shape) }, () => 0), shape, pads, 'constant', 1);
    const cw = Math.ceil(shape[3] / 4);
    for (let r = 0; r < size(outShape) / shape[3]; r++) {
      if (padded[r * shape[3]] === 1) for (let j = 0; j < cw; j++) expected[r * cw + j] = (zp & 0xff) * 0x01010101;
    }
    const [got] = await runCopies([padKernel(shape, { mode: 'constant', pads, value: zp }, 'i8x4')], [pack(x, shape)], [expected.length]);
    expect(Array.from(got)).toEqual(Array.from(expected));
  });
});

describe('resize (NHWC)', () => {
  const coords: CoordMode[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];
  const nearest: NearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
  it('nearest: every coordinate mode x rounding mode, up and down', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    for (const coord of [...coords, 'tf_half_pixel_for_nn' as const]) for (const nm of nearest) {
      const shape = { n: 1, h: rng.int(1, 6), w: rng.int(1, 6), c: awkwardC(rng) };
      const p = { mode: 'nearest' as const, coord, nearest: nm, outH: rng.int(1, 11), outW: rng.int(1, 11) };
      const x = rng.floats(shape.h * shape.w * shape.c);
      const spec = resizeKernel(shape, p);
      expectBindingsMatch(spec);
      const n = p.outH * p.outW * shape.c;
      const out = await runKernel(device, spec, { input: x, coords: resizeCoords(shape, p) }, { output: n * 4 });
      expect(Array.from(new Float32Array(out.output)), `${coord} ${nm} ${shape.h}x${shape.w}->${p.outH}x${p.outW}`)
        .toEqual(resizeRef(x, 1, shape.h, shape.w, shape.c, p).map(Math.fround));
    }
  });
  it('linear: every coordinate mode, f32 within 1e-4', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    for (const coord of coords) {
      const shape = { n: rng.int(1, 2), h: rng.int(1, 6), w: rng.int(1, 6), c: awkwardC(rng) };
      const p = { mode: 'linear' as const, coord, outH: rng.int(1, 11), outW: rng.int(1, 11) };
      const x = rng.floats(shape.n * shape.h * shape.w * shape.c);
      const spec = resizeKernel(shape, p);
      expectBindingsMatch(spec);
      const n = shape.n * p.outH * p.outW * shape.c;
      const out = await runKernel(device, spec, { input: x, coords: resizeCoords(shape, p) }, { output: n * 4 });
      expect(relError(new Float32Array(out.output), resizeRef(x, shape.n, shape.h, shape.w, shape.c, p)), coord).toBeLessThanOrEqual(1e-4);
    }
  });
  it('nearest on packed int8 (2x upsample)', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    const shape = { n: 1, h: rng.int(1, 5), w: rng.int(1, 5), c: awkwardC(rng) };
    const p = { mode: 'nearest' as const, coord: 'asymmetric' as const, nearest: 'floor' as const, outH: 2 * shape.h, outW: 2 * shape.w };
    const x = rng.int8s(shape.h * shape.w * shape.c);
    const want = pack(resizeRef(x, 1, shape.h, shape.w, shape.c, p), [p.outH, p.outW, shape.c]);
    const spec = resizeKernel(shape, p, 'i8x4');
    expectBindingsMatch(spec);
    const out = await runKernel(device, spec, { input: pack(x, [shape.h, shape.w, shape.c]), coords: resizeCoords(shape, p) }, { output: want.length * 4 });
    expect(Array.from(new Uint32Array(out.output))).toEqual(Array.from(want));
  });
});

describe('softmax, gather, reduce', () => {
  it('softmax / logsoftmax along any axis', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    for (const log of [false, true]) for (let t = 0; t < 3; t++) {
      const shape = randShape(rng, rng.int(1, 4), 7);
      const axis = rng.int(-shape.length, shape.length - 1);
      const x = rng.floats(size(shape), -20, 20);
      const spec = softmaxKernel(shape, { axis, log });
      expectBindingsMatch(spec);
      const out = await runKernel(device, spec, { input: x }, { output: x.length * 4 });
      expect(relError(new Float32Array(out.output), softmaxRef(x, shape, axis, log)), `[${shape}] axis ${axis}`).toBeLessThanOrEqual(1e-4);
    }
  });
  it('gather with negative indices (f32 any axis, packed int8 spatial axis)', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    for (let t = 0; t < 4; t++) {
      const shape = randShape(rng, rng.int(1, 4), 5);
      const axis = rng.int(0, shape.length - 1);
      const indShape = randShape(rng, rng.int(0, 2), 3);
      const idx = Int32Array.from({ length: size(indShape) }, () => rng.int(-shape[axis], shape[axis] - 1));
      const x = rng.floats(size(shape));
      const spec = gatherKernel(shape, axis, idx.length);
      expectBindingsMatch(spec);
      const want = gatherRef(x, shape, axis, idx, indShape);
      const out = await runKernel(device, spec, { input: x, indices: idx }, { output: want.length * 4 });
      expect(Array.from(new Float32Array(out.output))).toEqual(want.map(Math.fround));
    }
    const qshape = [1, rng.int(2, 5), rng.int(1, 4), awkwardC(rng)];
    const qidx = Int32Array.from([rng.int(-qshape[1], -1), rng.int(0, qshape[1] - 1)]);
    const q = rng.int8s(size(qshape));
    const want = pack(gatherRef(q, qshape, 1, qidx, [2]), [1, 2, qshape[2], qshape[3]]);
    const qspec = gatherKernel(qshape, 1, 2, 'i8x4');
    expectBindingsMatch(qspec);
    const out = await runKernel(device, qspec, { input: pack(q, qshape), indices: qidx }, { output: want.length * 4 });
    expect(Array.from(new Uint32Array(out.output))).toEqual(Array.from(want));
  });
  for (const op of ['mean', 'sum', 'max', 'min'] as ReduceOp[]) {
    it(`reduce ${op} over random axes`, async () => {
      const { device } = await testGpu();
      const rng = testRng();
      for (let t = 0; t < 3; t++) {
        const shape = randShape(rng, rng.int(1, 5), 5);
        const axes = t === 0 ? [] : shuffle(rng, shape.map((_, i) => i)).slice(0, rng.int(1, shape.length));
        const keepDims = rng.next() < 0.5;
        const x = rng.floats(size(shape));
        const spec = reduceKernel(shape, { op, axes, keepDims });
        expectBindingsMatch(spec);
        const n = size(reduceShape(shape, { op, axes, keepDims }));
        const out = await runKernel(device, spec, { input: x }, { output: n * 4 });
        expect(relError(new Float32Array(out.output), reduceRef(x, shape, axes, op)), `[${shape}] axes [${axes}]`).toBeLessThanOrEqual(1e-4);
      }
    });
  }
});
