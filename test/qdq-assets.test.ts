/**
 * The four asset models, quantized by our own `quantize()` (W8A8, W4A8 and mixed QDQ exports, small calibration
 * sets), run on the integer kernels and compared with onnxruntime-node with graph optimizations disabled (every
 * Q and DQ computed literally), tensor by tensor (helpers/qdq-trace.ts): every quantized activation, under the
 * upstream tensors onnxruntime computed, is bit-exact or differs by 1 LSB on at most 0.1% of its elements (a
 * value within float32 rounding of a rounding boundary: onnxruntime accumulates in float32, we sum exactly).
 * End to end, each model output's SQNR against that reference must reach 45 dB, or where the reference agrees
 * with itself less well, the reference's own spread (onnxruntime 'all' and onnxruntime-web wasm against it,
 * helpers/qdq-spread.ts) less a 6 dB margin: float32 near-ties flip between builds of the reference too. The detectors are slow on a software GPU
 * (hundreds of thousands of pixels through ~100 layers): set QDQ_SLOW=1 to include them.
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { testGpu } from './helpers/gpu.ts';
import { hasAssets } from './helpers/assets.ts';
import { QDQ_MODELS, WEIGHT_MODES, quantizeAsset } from './helpers/qdq-models.ts';
import { outputFloors, referenceRuns } from './helpers/qdq-spread.ts';
import { type RunOurs, type TraceResult, allowedLsb, describeDiff, traceQdq } from './helpers/qdq-trace.ts';
import { testRng } from './helpers/rng.ts';

const SLOW = !!process.env.QDQ_SLOW;

describe.skipIf(!hasAssets)('asset models: our QDQ exports vs onnxruntime (optimizations disabled)', () => {
  for (const m of QDQ_MODELS) {
    for (const weights of WEIGHT_MODES) {
      it.skipIf(m.slow && !SLOW)(`${m.file} ${weights}`, async () => {
        const q = await quantizeAsset(m, weights, testRng());
        const context = await testGpu();
        const tag = `[qdq-assets] ${m.file} ${weights}`;
        const feeds = q.feeds;
        // The model as exported, end to end: integer kernels for every conv/gemm, output SQNR for information.
        const session = await InferenceSession.create(q.bytes, { context });
        let t: TraceResult;
        let e2e: Awaited<ReturnType<InferenceSession['run']>>;
        try {
          const layers = session.steps().filter((s) => ['Conv', 'Gemm', 'MatMul'].includes(s.op));
          const integer = layers.filter((s) => s.precision === 'w8a8' || s.precision === 'w4a8');
          expect(integer.length, 'integer conv/gemm steps').toBe(layers.length);
          const ours: RunOurs = async (bytes, f) => {
            const traced = await InferenceSession.create(bytes, { context });
            try {
              return await traced.run(f);
            } finally {
              traced.dispose();
            }
          };
          t = await traceQdq(q.bytes, feeds, ours);
          e2e = await session.run(feeds);
        } finally {
          session.dispose();
        }
        // End to end: as close to the reference as the reference's own builds are to each other (helpers/qdq-spread.ts)
        const floors = outputFloors(await referenceRuns(q.bytes, feeds), e2e);
        const exact = t.all.filter((a) => a.off === 0).length;
        console.log(`${tag}: ${t.points.length} quantized tensors traced, each from onnxruntime's upstream tensors: ${exact} bit-exact`);
        for (const d of t.diffs) console.log(`${tag}   ${describeDiff(d)}`);
        for (const d of t.diffs) {
          expect(d.maxLsb, describeDiff(d)).toBeLessThanOrEqual(allowedLsb(d.point));
          expect(d.offFraction, describeDiff(d)).toBeLessThanOrEqual(0.001);
        }
        for (const o of floors) {
          const line = `${tag} output ${o.name}: ours ${o.ours.toFixed(1)} dB vs onnxruntime (disabled); its own spread: 'all' ${o.all.toFixed(1)} dB, wasm ${o.web.toFixed(1)} dB; floor ${o.floor.toFixed(1)} dB`;
          console.log(line);
          expect(o.ours, line).toBeGreaterThanOrEqual(o.floor);
        }
      }, 600_000);
    }
  }
});
