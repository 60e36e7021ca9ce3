import { describe, expect, it } from 'vitest';
import { runKernel } from '../src/gpu/exec.ts';
import type { Activation } from '../src/shaders/activation.ts';
import { type BinaryOp, binaryKernel } from '../src/shaders/binary.ts';
import { eltwiseInt8Kernel, eltwiseInt8Table } from '../src/shaders/eltwise_int8.ts';
import { testGpu } from './helpers/gpu.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';
import { type Rng, relError, testRng } from './helpers/rng.ts';
import { eltwiseInt8Ref } from './reference/eltwise_int8.ts';
import { binaryRef, size } from './reference/ops.ts';
import { packRows } from './reference/quantize.ts';

/** Two shapes that broadcast: rank mismatch, size-1 dims on either side, channels 3/5/17 last. */
function broadcastPair(rng: Rng): [number[], number[]] {
  const rank = rng.int(1, 6);
  const out = Array.from({ length: rank }, (_, i) => (i === rank - 1 ? [3, 5, 17][rng.int(0, 2)] : rng.int(1, rank > 4 ? 2 : 4)));
  const a = out.map((d) => (rng.next() < 0.25 ? 1 : d));
  const b = out.map((d) => (rng.next() < 0.25 ? 1 : d)).slice(rng.int(0, rank - 1));
  return rng.next() < 0.5 ? [a, b] : [b, a];
}

const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'max', 'min'];

describe('binary f32 with broadcasting', () => {
  for (const op of ops) {
    it(`${op} matches the reference`, async () => {
      const { device } = await testGpu();
      const rng = testRng();
      for (let t = 0; t < 3; t++) {
        const [as, bs] = broadcastPair(rng);
        const a = rng.floats(size(as), -3, 3);
        const b = rng.floats(size(bs), -3, 3);
        if (op === 'div') b.forEach((v, i) => { b[i] = v < 0 ? v - 0.5 : v + 0.5; });
        if (op === 'pow') {
          // negative bases with integral exponents (ONNX-defined), positive bases with any exponent
          a.forEach((v, i) => { a[i] = Math.abs(v) < 0.5 ? v + Math.sign(v || 1) * 0.5 : v; });
          b.forEach((v, i) => { b[i] = Math.round(v); });
          if (t === 2) { a.forEach((v, i) => { a[i] = Math.abs(v); }); b.forEach((_, i) => { b[i] = rng.uniform(-2, 2); }); }
        }
        const spec = binaryKernel({ op }, as, bs);
        expectBindingsMatch(spec);
        const want = binaryRef(op, a, as, b, bs);
        const out = await runKernel(device, spec, { a, b }, { output: want.length * 4 });
        expect(relError(new Float32Array(out.output), want), `[${as}] ${op} [${bs}]`).toBeLessThanOrEqual(1e-4);
      }
    });
  }
  it('fuses an activation', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    for (const act of [{ kind: 'relu' }, { kind: 'clip', min: -1, max: 1.5 }, { kind: 'silu' }] as Activation[]) {
      const [as, bs] = broadcastPair(rng);
      const a = rng.floats(size(as), -3, 3);
      const b = rng.floats(size(bs), -3, 3);
      const spec = binaryKernel({ op: 'add', act }, as, bs);
      expectBindingsMatch(spec);
      const want = binaryRef('add', a, as, b, bs, act);
      const out = await runKernel(device, spec, { a, b }, { output: want.length * 4 });
      expect(relError(new Float32Array(out.output), want), act.kind).toBeLessThanOrEqual(1e-4);
    }
  });
  it('names the op and shapes that do not broadcast', () => {
    expect(() => binaryKernel({ op: 'add' }, [2, 3], [4, 3])).toThrow(/add: shapes \[2,3\] and \[4,3\]/);
  });
});

describe('int8 add / mul (packed, broadcasting)', () => {
  for (const op of ['add', 'mul'] as const) {
    it(`${op} matches the ONNX float32 reference bit-exactly`, async () => {
      const { device } = await testGpu();
      const rng = testRng();
      for (let t = 0; t < 5; t++) {
        let [as, bs] = broadcastPair(rng);
        if (t === 3) bs = [1]; // a scalar
        if (t === 4) bs = [...as.slice(0, -1), 1]; // channel broadcast
        const q = (): { scale: number; zeroPoint: number } => ({ scale: rng.uniform(0.005, 0.1), zeroPoint: rng.int(-20, 20) });
        const p = { op, a: q(), b: q(), output: q(), qmin: t === 2 ? 0 : undefined };
        if (op === 'mul') p.output.scale = p.a.scale * p.b.scale * rng.uniform(20, 200);
        const a = rng.int8s(size(as));
        const b = rng.int8s(size(bs));
        const spec = eltwiseInt8Kernel(p, as, bs);
        expectBindingsMatch(spec);
        const want = eltwiseInt8Ref(p, a, as, b, bs);
        const c = want.shape[want.shape.length - 1];
        const expected = packRows(want.data, want.data.length / c, c, p.output.zeroPoint);
        const pk = (x: Int8Array, s: number[]): Uint32Array => packRows(x, size(s) / (s[s.length - 1] ?? 1), s[s.length - 1] ?? 1);
        const out = await runKernel(device, spec, { a: pk(a, as), b: pk(b, bs), table: eltwiseInt8Table(p) }, { output: expected.length * 4 });
        expect(Array.from(new Uint32Array(out.output)), `[${as}] ${op} [${bs}]`).toEqual(Array.from(expected));
      }
    });
  }
});
