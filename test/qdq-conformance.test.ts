/**
 * QDQ conformance: graphs in the layouts other tools export (test/fixtures/qdq-patterns.ts, generated here with the
 * project's protobuf schema) must run exactly as ONNX defines them. Reference: onnxruntime-node with graph
 * optimizations disabled, which computes every QuantizeLinear / DequantizeLinear literally. Every output is a
 * DequantizeLinear, so it is compared in LSBs of its scale: bit for bit, or 1 LSB on at most 0.1% of elements.
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { testGpu } from './helpers/gpu.ts';
import { ortRun } from './helpers/ort.ts';
import { testRng } from './helpers/rng.ts';
import { QDQ_PATTERNS, qdqPattern } from './fixtures/qdq-patterns.ts';
import { type Agreement, agreement, formatAgreement } from './helpers/qdq-agreement.ts';
import { allowedLsb, describeDiff, traceQdq } from './helpers/qdq-trace.ts';

const INT_PRECISIONS = new Set(['w8a8', 'w4a8']);

describe('QDQ conformance vs onnxruntime (graph optimizations disabled)', () => {
  for (const name of QDQ_PATTERNS) {
    it(name, async () => {
      const p = qdqPattern(name, testRng());
      const session = await InferenceSession.create(p.bytes, { context: await testGpu() });
      try {
        const ours = await session.run(p.feeds);
        const ref = await ortRun(p.bytes, p.feeds, { graphOptimizationLevel: 'disabled' });
        const rows: Agreement[] = Object.keys(p.scales).map((name) => agreement(name, ours[name].data, ref[name].data, p.scales[name]));
        for (const r of rows) console.log(`[qdq] ${p.name} | ${formatAgreement(r)}`);
        const intSteps = session.steps().filter((s) => ['Conv', 'Gemm', 'MatMul'].includes(s.op));
        expect(intSteps.map((s) => s.precision).filter((x) => INT_PRECISIONS.has(x)).length, 'integer conv/gemm steps').toBe(p.intLayers);
        const used = new Set(session.steps().map((s) => `${s.op}/${s.kernel}`));
        for (const u of p.uses ?? []) expect(used.has(u), `plan uses ${u} (has ${[...used].join(', ')})`).toBe(true);
        // A tie upstream can reach several elements of a small output (SEED=802222930: one GlobalAveragePool element
        // at 28.4999973 in onnxruntime's float32 sum, 28.5000002 exactly, then 2 of 5 MatMul outputs): where the
        // count rule fails, the per-tensor trace decides, each tensor computed from onnxruntime's upstream codes.
        const overCount = rows.filter((r) => r.off > Math.max(1, Math.floor(0.001 * r.count)));
        const trace = overCount.length ? await traceQdq(p.bytes, p.feeds, async (bytes, f) => {
          const traced = await InferenceSession.create(bytes, { context: await testGpu() });
          try {
            return await traced.run(f);
          } finally {
            traced.dispose();
          }
        }) : undefined;
        for (const d of trace?.diffs ?? []) {
          console.log(`[qdq] ${p.name} | traced: ${describeDiff(d)}`);
          expect(d.maxLsb, describeDiff(d)).toBeLessThanOrEqual(allowedLsb(d.point));
          expect(d.off, describeDiff(d)).toBeLessThanOrEqual(Math.max(1, Math.floor(0.001 * d.count)));
        }
        for (const r of rows) {
          expect(r.maxLsb, `${r.name}: max LSB difference`).toBeLessThanOrEqual(1);
          // At most 0.1% of the elements, and never less than one: a float32 tie in onnxruntime's accumulation hits
          // one element, and on a 5-element MatMul output one element is 20% (SEED=1133636650). More only where the
          // trace above shows every tensor within that rule from onnxruntime's own upstream codes.
          if (!trace) expect(r.off, `${r.name}: elements 1 LSB off of ${r.count}`).toBeLessThanOrEqual(Math.max(1, Math.floor(0.001 * r.count)));
          // SQNR says something only over many elements: one tied element of five is 33 dB, and the LSB rule above
          // already bounds it.
          if (r.count >= 1000) expect(r.sqnr, `${r.name}: SQNR`).toBeGreaterThanOrEqual(45);
        }
      } finally {
        session.dispose();
      }
    }, 300_000);
  }
});
