/**
 * The four asset models, quantized by our own `quantize()` (W8A8, W4A8 and mixed QDQ exports, small calibration
 * sets), run on the integer kernels and compared with onnxruntime-node with graph optimizations disabled (every
 * Q and DQ computed literally), tensor by tensor (helpers/qdq-trace.ts): every quantized activation, under the
 * upstream tensors onnxruntime computed, is bit-exact or differs by 1 LSB on at most 0.1% of its elements (a
 * value within float32 rounding of a rounding boundary: onnxruntime accumulates in float32, we sum exactly).
 * No SQNR floor: the end-to-end output SQNR is printed for information. The detectors are slow on a software GPU
 * (hundreds of thousands of pixels through ~100 layers): set QDQ_SLOW=1 to include them.
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { quantize, type WeightMode } from '../src/ptq/quantize.ts';
import { calibrationSet } from '../src/ptq/calibrate.ts';
import { ortSource } from '../src/ptq/source.ts';
import { sqnr } from '../src/quant/index.ts';
import { CIFAR_RAW, CIFAR_RESNET20, readCifarBatch } from '../src/eval/cifar.ts';
import { testGpu } from './helpers/gpu.ts';
import { hasAssets, readAsset } from './helpers/assets.ts';
import { type RunOurs, allowedLsb, describeDiff, traceQdq } from './helpers/qdq-trace.ts';
import { type Rng, testRng } from './helpers/rng.ts';

interface Model {
  file: string;
  input: string;
  dims: number[];
  data: (rng: Rng, i: number) => Float32Array;
  slow?: boolean;
}

const cifar = (pre: typeof CIFAR_RAW) => (rng: Rng, i: number) =>
  readCifarBatch(readAsset('data/cifar10_test_1000.bin'), pre, i === 0 ? rng.int(500, 999) : i, 1).images;
const pixels = (n: number) => (rng: Rng) => rng.floats(n, 0, 255);

const MODELS: Model[] = [
  { file: 'resnet20_cifar10.onnx', input: 'input', dims: [1, 3, 32, 32], data: cifar(CIFAR_RESNET20) },
  { file: 'resnet8_cifar10_mlperf_tiny.onnx', input: 'input', dims: [1, 3, 32, 32], data: cifar(CIFAR_RAW) },
  { file: 'yolox_nano_coco_416.onnx', input: 'images', dims: [1, 3, 416, 416], data: pixels(3 * 416 * 416), slow: true },
  { file: 'fastestdet_coco_352.onnx', input: 'input.1', dims: [1, 3, 352, 352], data: (rng) => rng.floats(3 * 352 * 352, 0, 1), slow: true },
];
const SLOW = !!process.env.QDQ_SLOW;

describe.skipIf(!hasAssets)('asset models: our QDQ exports vs onnxruntime (optimizations disabled)', () => {
  for (const m of MODELS) {
    for (const weights of ['int8', 'int4', 'mixed'] as WeightMode[]) {
      it.skipIf(m.slow && !SLOW)(`${m.file} ${weights}`, async () => {
        const rng = testRng();
        const batch = (i: number) => ({ [m.input]: { dims: m.dims, data: m.data(rng, i) } });
        const calib = calibrationSet([1, 2].map(batch));
        const q = await quantize(readAsset(`models/${m.file}`), calib, { method: 'minmax', weights, source: (g) => ortSource(g), searchBatches: 1 });
        const context = await testGpu();
        let checkedPlan = false;
        const ours: RunOurs = async (bytes, feeds) => {
          const session = await InferenceSession.create(bytes, { context });
          try {
            if (!checkedPlan) {
              // The plan of the exposed model: every quantized conv/gemm on an integer kernel.
              const layers = session.steps().filter((s) => ['Conv', 'Gemm', 'MatMul'].includes(s.op));
              const integer = layers.filter((s) => s.precision === 'w8a8' || s.precision === 'w4a8');
              expect(integer.length, 'integer conv/gemm steps').toBe(layers.length);
              checkedPlan = true;
            }
            return await session.run(feeds);
          } finally {
            session.dispose();
          }
        };
        const tag = `[qdq-assets] ${m.file} ${weights}`;
        const t = await traceQdq(q.bytes, batch(0), ours, { log: (line) => console.log(`${tag} ${line}`) });
        for (const name of Object.keys(t.ref)) {
          console.log(`${tag} output ${name}: SQNR ${sqnr(t.ref[name].data, t.ours[name].data).toFixed(1)} dB end to end (for information)`);
        }
        console.log(`${tag}: ${t.points.length} quantized tensors traced, ${t.diffs.length} differed (each overridden with onnxruntime's), ${t.runs} runs`);
        for (const d of t.diffs) {
          expect(d.maxLsb, describeDiff(d)).toBeLessThanOrEqual(allowedLsb(d.point));
          expect(d.offFraction, describeDiff(d)).toBeLessThanOrEqual(0.001);
        }
      }, 600_000);
    }
  }
});
