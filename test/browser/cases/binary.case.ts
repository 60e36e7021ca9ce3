/**
 * Elementwise binary ops with numpy broadcasting: f32 (every op, fused activation) and packed int8 Add / Mul
 * (fixed point, bit-exact). Run by the Chromium suite and, as test/binary.test.ts, under Node. References
 * test/reference/ops.ts and test/reference/eltwise_int8.ts.
 */
import type { Activation } from '../../../src/shaders/activation.ts';
import { type BinaryOp, binaryKernel } from '../../../src/shaders/binary.ts';
import { type EltwiseInt8Params, eltwiseInt8Kernel, eltwiseInt8Table } from '../../../src/shaders/eltwise_int8.ts';
import { eltwiseInt8Ref } from '../../reference/eltwise_int8.ts';
import { binaryRef, size } from '../../reference/ops.ts';
import { packRows } from '../../reference/quantize.ts';
import { type Case, EXACT, FLOAT_TOL, type Outcome, type Rng, exactOutcome, floatOutcome, runSpec, worst } from '../suite.ts';

/** Two shapes that broadcast: rank mismatch, size-1 dims on either side, channels 3 / 5 / 17 last. */
function broadcastPair(r: Rng): [number[], number[]] {
  const rank = r.int(1, 6);
  const out = Array.from({ length: rank }, (_, i) => (i === rank - 1 ? r.pick([3, 5, 17]) : r.int(1, rank > 4 ? 2 : 4)));
  const a = out.map((d) => (r.next() < 0.25 ? 1 : d));
  const b = out.map((d) => (r.next() < 0.25 ? 1 : d)).slice(r.int(0, rank - 1));
  return r.next() < 0.5 ? [a, b] : [b, a];
}

/** Operands kept where the op is defined and well conditioned. */
function operands(r: Rng, op: BinaryOp, as: number[], bs: number[], round: number): [Float32Array, Float32Array] {
  const a = r.floats(size(as), -3, 3);
  const b = r.floats(size(bs), -3, 3);
  if (op === 'div') b.forEach((v, i) => { b[i] = v < 0 ? v - 0.5 : v + 0.5; });
  if (op === 'pow') {
    // negative bases with integral exponents (ONNX-defined), then positive bases with any exponent
    a.forEach((v, i) => { a[i] = Math.abs(v) < 0.5 ? v + Math.sign(v || 1) * 0.5 : v; });
    b.forEach((v, i) => { b[i] = Math.round(v); });
    if (round === 2) { a.forEach((v, i) => { a[i] = Math.abs(v); }); b.forEach((_, i) => { b[i] = r.uniform(-2, 2); }); }
  }
  return [a, b];
}

const OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'max', 'min'];
/** Add also fuses an activation (one per round), as the runtime does for Add -> Relu. */
const ADD_ACTS: Activation[] = [{ kind: 'relu' }, { kind: 'clip', min: -1, max: 1.5 }, { kind: 'silu' }];

export const cases: Case[] = [
  ...OPS.map((op): Case => ({
    name: `binary_f32 ${op}, broadcast`,
    tolerance: FLOAT_TOL,
    async run({ device }, r) {
      const outs: Outcome[] = [];
      for (let t = 0; t < 3; t++) {
        const [as, bs] = broadcastPair(r);
        const [a, b] = operands(r, op, as, bs, t);
        const act: Activation = op === 'add' ? ADD_ACTS[t] : { kind: 'none' };
        const want = binaryRef(op, a, as, b, bs, act);
        const out = await runSpec(device, binaryKernel({ op, act }, as, bs), { a, b }, { output: want.length * 4 });
        outs.push(floatOutcome(new Float32Array(out.output), want, `[${as}] ${op} [${bs}] ${act.kind}`));
      }
      return worst(...outs);
    },
  })),
  ...(['add', 'mul'] as const).map((op): Case => ({
    name: `eltwise_int8 ${op}, broadcast / scalar / channel broadcast / relu`,
    tolerance: EXACT,
    async run({ device }, r) {
      const outs: Outcome[] = [];
      for (let t = 0; t < 5; t++) {
        let [as, bs] = broadcastPair(r);
        if (t === 3) bs = [1]; // a scalar
        if (t === 4) bs = [...as.slice(0, -1), 1]; // channel broadcast
        const q = (): { scale: number; zeroPoint: number } => ({ scale: r.uniform(0.005, 0.1), zeroPoint: r.int(-20, 20) });
        const p: EltwiseInt8Params = { op, a: q(), b: q(), output: q(), qmin: t === 2 ? 0 : undefined };
        if (op === 'mul') p.output.scale = p.a.scale * p.b.scale * r.uniform(20, 200);
        const a = r.int8s(size(as));
        const b = r.int8s(size(bs));
        const want = eltwiseInt8Ref(p, a, as, b, bs);
        const c = want.shape[want.shape.length - 1];
        const expected = packRows(want.data, want.data.length / c, c, p.output.zeroPoint);
        const pk = (x: Int8Array, s: number[]): Uint32Array => packRows(x, size(s) / (s[s.length - 1] ?? 1), s[s.length - 1] ?? 1);
        const out = await runSpec(device, eltwiseInt8Kernel(p, as, bs), { a: pk(a, as), b: pk(b, bs), table: eltwiseInt8Table(p) }, { output: expected.length * 4 });
        outs.push(exactOutcome(new Uint32Array(out.output), expected, `[${as}] ${op} [${bs}]`, true));
      }
      return worst(...outs);
    },
  })),
];
