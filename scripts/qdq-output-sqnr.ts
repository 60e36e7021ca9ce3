/**
 * Issue 10's end-to-end measure: for each asset model x {int8, int4, mixed} QDQ export (the same `quantize()` call
 * as test/qdq-assets.test.ts, fixed seed), the model-output SQNR of
 *   - ours vs onnxruntime with graph optimizations disabled (every Q and DQ computed literally: the reference),
 *   - onnxruntime 'all' vs onnxruntime 'disabled' (the reference's own spread: 'all' turns QDQ into QLinearConv,
 *     QLinearAdd, ... with integer accumulation, so it disagrees with the float32 accumulation of 'disabled' on
 *     near-ties, as we do),
 *   - onnxruntime-web (wasm, optimizations disabled) vs onnxruntime-node 'disabled': the same reference built for
 *     WebAssembly, whose MLAS kernels accumulate the float32 conv without FMA (another float32 order, nothing else),
 *   - ours vs onnxruntime 'all',
 * and, from the per-tensor trace (test/helpers/qdq-trace.ts: each tensor computed from onnxruntime's upstream
 * codes), the tensors that differ grouped by the op that computes them.
 *
 *   node --import tsx --import ./scripts/raw-hook.mjs scripts/qdq-output-sqnr.ts [--models resnet,yolox] \
 *     [--weights int8,int4,mixed] [--seeds 1,2] [--no-trace]
 *
 * Prints one markdown row per export as it finishes (the detectors take minutes each on SwiftShader), then the
 * trace summary table.
 */
import { InferenceSession } from '../src/runtime/session.ts';
import { acquireNodeDevice } from '../src/node/gpu.ts';
import type { WeightMode } from '../src/ptq/quantize.ts';
import { sqnr } from '../src/quant/index.ts';
import { outputFloors, referenceRuns } from '../test/helpers/qdq-spread.ts';
import { Rng } from '../test/helpers/random.ts';
import { QDQ_MODELS, WEIGHT_MODES, quantizeAsset } from '../test/helpers/qdq-models.ts';
import { type TraceResult, describeDiff, traceQdq } from '../test/helpers/qdq-trace.ts';

const args = process.argv.slice(2);
const flag = (n: string, d: string) => { const i = args.indexOf(`--${n}`); return i >= 0 ? args[i + 1] : d; };
const models = QDQ_MODELS.filter((m) => flag("models", "").split(",").some((s) => m.file.includes(s)));
const weights = flag('weights', WEIGHT_MODES.join(',')).split(',') as WeightMode[];
const seeds = flag('seeds', '1').split(',').map(Number);
const trace = !args.includes('--no-trace');
const db = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'exact');
const min = (xs: number[]) => Math.min(...xs);

const context = await acquireNodeDevice({ label: 'qdq-output-sqnr' });
const traceRows: string[] = [];
console.log('| model | weights | seed | output | ours vs ort(disabled) dB | ort(all) vs ort(disabled) dB | ort-web wasm vs ort(disabled) dB | ours vs ort(all) dB | test floor dB | traced tensors: bit-exact / differ (max LSB, % off worst) |');
console.log('|---|---|---:|---|---:|---:|---:|---:|---:|---|');
for (const m of models) {
  for (const w of weights) {
    for (const seed of seeds) {
      const t0 = performance.now();
      const { bytes, feeds } = await quantizeAsset(m, w, new Rng(seed));
      const ref = await referenceRuns(bytes, feeds);
      const session = await InferenceSession.create(bytes, { context });
      const ours = await session.run(feeds);
      session.dispose();
      let t: TraceResult | undefined;
      if (trace) {
        t = await traceQdq(bytes, feeds, async (b, f) => {
          const s = await InferenceSession.create(b, { context });
          try { return await s.run(f); } finally { s.dispose(); }
        });
      }
      const traced = t ? `${t.all.length - t.diffs.length} / ${t.diffs.length}` + (t.diffs.length ? ` (${Math.max(...t.diffs.map((d) => d.maxLsb))}, ${(100 * Math.max(...t.diffs.map((d) => d.offFraction))).toFixed(4)}%)` : '') : 'not traced';
      for (const o of outputFloors(ref, ours)) {
        const oursAll = sqnr(ref.all[o.name].data, ours[o.name].data);
        console.log(`| ${m.file} | ${w} | ${seed} | ${o.name} | ${db(o.ours)} | ${db(o.all)} | ${db(o.web)} | ${db(oursAll)} | ${o.floor.toFixed(1)}${o.ours >= o.floor ? '' : ' MISSED'} | ${traced} |`);
      }
      if (t) {
        const byOp = new Map<string, string[]>();
        for (const d of t.diffs) {
          const op = d.point.producer.split(' ')[0];
          byOp.set(op, [...(byOp.get(op) ?? []), describeDiff(d)]);
          console.error(`  ${m.file} ${w}: ${describeDiff(d)}`);
        }
        for (const [op, ds] of byOp) traceRows.push(`| ${m.file} | ${w} | ${seed} | ${op} | ${ds.length} | ${ds[0]} |`);
        if (!byOp.size) traceRows.push(`| ${m.file} | ${w} | ${seed} | (none) | 0 | every traced tensor bit-exact |`);
      }
      console.error(`  ${m.file} ${w} seed ${seed}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
  }
}
if (trace) {
  console.log('\nTensors that differ under the trace (each computed from onnxruntime\'s upstream codes), by producing op:\n');
  console.log('| model | weights | seed | producing op | tensors | first one |\n|---|---|---:|---|---:|---|');
  for (const r of traceRows) console.log(r);
}
process.exit(0);
