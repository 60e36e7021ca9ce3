/**
 * Issue 10's per-tensor trace and output SQNRs (scripts/qdq-output-sqnr.ts) for a QDQ model *file* on real
 * images: e.g. a model `scripts/ptq-table.ts --save` wrote, on the images it is evaluated on. Tells a runtime
 * difference (a tensor off by more than a tie, computed from onnxruntime's own upstream codes) from the spread of
 * near-ties that any two faithful implementations show.
 *
 *   node --import tsx --import ./scripts/raw-hook.mjs scripts/qdq-trace-file.ts --model yolox [--images 32,40] file.onnx
 */
import { readFileSync } from 'node:fs';
import { flag, parseArgs } from '../src/cli/args.ts';
import { assetPath } from '../src/eval/assets.ts';
import { acquireNodeDevice } from '../src/node/gpu.ts';
import { calibrationFrom, modelProfile, openDataset } from '../src/ptq/datasets.ts';
import { floatGraph } from '../src/ptq/quantize.ts';
import { sqnr } from '../src/quant/index.ts';
import { InferenceSession } from '../src/runtime/session.ts';
import { referenceRuns } from '../test/helpers/qdq-spread.ts';
import { describeDiff, traceQdq } from '../test/helpers/qdq-trace.ts';

const MODELS: Record<string, { file: string; data: string }> = {
  resnet20: { file: 'models/resnet20_cifar10.onnx', data: 'data/cifar10_test_1000.bin' },
  resnet8: { file: 'models/resnet8_cifar10_mlperf_tiny.onnx', data: 'data/cifar10_test_1000.bin' },
  yolox: { file: 'models/yolox_nano_coco_416.onnx', data: 'data/coco128-val2017' },
  fastestdet: { file: 'models/fastestdet_coco_352.onnx', data: 'data/coco128-val2017' },
};
const a = parseArgs(process.argv.slice(2), []);
const m = MODELS[flag(a, 'model') ?? ''];
if (!m) throw new Error(`--model must be one of ${Object.keys(MODELS).join(', ')}`);
const profile = modelProfile(floatGraph(new Uint8Array(readFileSync(assetPath(m.file)))), m.file);
const data = openDataset(assetPath(m.data));
const images = (flag(a, 'images') ?? '32').split(',').map(Number);
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
    const t = await traceQdq(bytes, feeds, async (b, f) => {
      const s = await InferenceSession.create(b, { context });
      try { return await s.run(f); } finally { s.dispose(); }
    });
    for (const [name, r] of Object.entries(ref.disabled)) {
      console.log(`${file} image ${image} output ${name}: ours ${db(sqnr(r.data, ours[name].data))} dB, ort(all) ${db(sqnr(r.data, ref.all[name].data))} dB, ort-web wasm ${db(sqnr(r.data, ref.web[name].data))} dB vs ort(disabled)`);
    }
    console.log(`  traced ${t.all.length} tensors, ${t.diffs.length} differ`);
    for (const d of t.diffs) console.log(`  ${describeDiff(d)}`);
  }
}
