/**
 * Issue 10's per-tensor trace and output SQNRs (scripts/qdq-output-sqnr.ts) for a QDQ model *file* on real
 * images: e.g. a model `scripts/ptq-table.ts --save` wrote, on the images it is evaluated on. Tells a runtime
 * difference (a tensor off by more than a tie, computed from onnxruntime's own upstream codes) from the spread of
 * near-ties that any two faithful implementations show.
 *
 *   node --import tsx --import ./scripts/raw-hook.mjs scripts/qdq-trace-file.ts --model yolox [--images 32,40] [--no-trace] file.onnx
 *
 * For a YOLOX-style output [1, anchors, 4 box + 1 objectness + classes] it also compares the scores alone (an
 * output SQNR is dominated by the box values, a score error would hide in it): mean signed and absolute difference
 * from onnxruntime 'disabled' for ours, onnxruntime 'all' and onnxruntime-web, and the mean signed difference of
 * the detection score (objectness x best class) where the reference's is above 0.1.
 */
import { readFileSync } from 'node:fs';
import { flag, has, parseArgs } from '../src/cli/args.ts';
import { assetPath } from '../src/eval/assets.ts';
import { acquireNodeDevice } from '../src/node/gpu.ts';
import { calibrationFrom, modelProfile, openDataset } from '../src/ptq/datasets.ts';
import { floatGraph } from '../src/ptq/quantize.ts';
import { sqnr } from '../src/quant/index.ts';
import { InferenceSession } from '../src/runtime/session.ts';
import { referenceRuns } from '../test/helpers/qdq-spread.ts';
import { describeDiff, traceQdq } from '../test/helpers/qdq-trace.ts';
import { ptqModel } from './ptq-models.ts';

const a = parseArgs(process.argv.slice(2), ['no-trace']);
const m = ptqModel(flag(a, 'model'), 'qdq-trace-file');
const profile = modelProfile(floatGraph(new Uint8Array(readFileSync(assetPath(m.file)))), m.file);
const data = openDataset(assetPath(m.data));
const images = (flag(a, 'images') ?? '32').split(',').map(Number);
/** Scores of [1, anchors, 5 + classes] against the reference: see the file comment. */
function scoreStats(r: { dims: number[]; data: Float32Array }, o: { data: Float32Array }): string {
  const [, n, c] = r.dims;
  let sum = 0;
  let abs = 0;
  let det = 0;
  let dets = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestOurs = 0;
    for (let k = 4; k < c; k++) {
      const d = o.data[i * c + k] - r.data[i * c + k];
      sum += d;
      abs += Math.abs(d);
      if (k > 4) { best = Math.max(best, r.data[i * c + k]); bestOurs = Math.max(bestOurs, o.data[i * c + k]); }
    }
    if (r.data[i * c + 4] * best > 0.1) { det += o.data[i * c + 4] * bestOurs - r.data[i * c + 4] * best; dets++; }
  }
  const m = n * (c - 4);
  return `scores mean diff ${(sum / m).toExponential(2)}, mean |diff| ${(abs / m).toExponential(2)}; detection score mean diff ${(det / Math.max(1, dets)).toExponential(2)} over ${dets} anchors above 0.1`;
}

const context = await acquireNodeDevice({ label: 'qdq-trace-file' });
const db = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'exact');
for (const file of a.positionals) {
  const bytes = new Uint8Array(readFileSync(file));
  for (const image of images) {
    const feeds = await calibrationFrom(data, profile, image, image + 1, 1).batch(0);
    const ref = await referenceRuns(bytes, feeds);
    const session = await InferenceSession.create(bytes, { context });
    const ours = await session.run(feeds);
    session.dispose();
    for (const [name, r] of Object.entries(ref.disabled)) {
      console.log(`${file} image ${image} output ${name}: ours ${db(sqnr(r.data, ours[name].data))} dB, ort(all) ${db(sqnr(r.data, ref.all[name].data))} dB, ort-web wasm ${db(sqnr(r.data, ref.web[name].data))} dB vs ort(disabled)`);
      if (r.dims.length === 3 && r.dims[0] === 1 && r.dims[2] > 5) {
        for (const [who, o] of [['ours', ours], ['ort(all)', ref.all], ['ort-web wasm', ref.web]] as const) console.log(`  ${who}: ${scoreStats(r, o[name])}`);
      }
    }
    if (has(a, 'no-trace')) continue;
    const t = await traceQdq(bytes, feeds, async (b, f) => {
      const s = await InferenceSession.create(b, { context });
      try { return await s.run(f); } finally { s.dispose(); }
    });
    console.log(`  traced ${t.all.length} tensors, ${t.diffs.length} differ`);
    for (const d of t.diffs) console.log(`  ${describeDiff(d)}`);
  }
}
