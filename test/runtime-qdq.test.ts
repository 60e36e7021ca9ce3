/**
 * QDQ models (our quantizer's exports) run end to end on the integer kernels, and agree closely with a float
 * simulation of the same quantization: onnxruntime-node with graph optimizations disabled computes every
 * QuantizeLinear / DequantizeLinear in float (fake quant on the CPU).
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { quantize, type WeightMode } from '../src/ptq/quantize.ts';
import { calibrationSet } from '../src/ptq/calibrate.ts';
import { ortSource } from '../src/ptq/source.ts';
import { sqnr } from '../src/quant/index.ts';
import { CIFAR_RAW, readCifarBatch } from '../src/eval/cifar.ts';
import { cachedFixture } from './fixtures/cache.ts';
import { buildResNet18 } from './fixtures/resnet.ts';
import { buildYoloV8n } from './fixtures/yolov8.ts';
import { testGpu } from './helpers/gpu.ts';
import { hasAssets, readAsset } from './helpers/assets.ts';
import { ortRun } from './helpers/ort.ts';
import { type Rng, relError, testRng } from './helpers/rng.ts';

type Feeds = Record<string, { dims: number[]; data: Float32Array }>;

interface Case {
  name: string;
  model: () => Uint8Array;
  input: string;
  dims: number[];
  weights: WeightMode;
  /** Calibration batches and the test input. */
  data: (rng: Rng, i: number) => Float32Array;
  /** Smallest SQNR (dB) of our output against the float simulation. */
  minSqnr: number;
}

/** Calibration on images 0..9, the test input from 500..999 (disjoint). */
const cifar = (rng: Rng, i: number) => readCifarBatch(readAsset('data/cifar10_test_1000.bin'), CIFAR_RAW, i === 0 ? rng.int(500, 999) : i, 1).images;
const random = (n: number) => (rng: Rng) => rng.floats(n, -1, 1);

const cases: Case[] = [
  ...(['int8', 'int4'] as const).map((weights) => ({
    name: `ResNet-8 (CIFAR) ${weights}`, model: () => readAsset('models/resnet8_cifar10_mlperf_tiny.onnx'),
    input: 'input', dims: [1, 3, 32, 32], weights, data: cifar, minSqnr: weights === 'int8' ? 30 : 25,
  })),
  { name: 'ResNet-18 64x64 int8', model: () => cachedFixture('resnet18', buildResNet18, { resolution: 64 }), input: '', dims: [1, 3, 64, 64], weights: 'int8', data: random(3 * 64 * 64), minSqnr: 20 },
  { name: 'ResNet-18 64x64 mixed', model: () => cachedFixture('resnet18', buildResNet18, { resolution: 64 }), input: '', dims: [1, 3, 64, 64], weights: 'mixed', data: random(3 * 64 * 64), minSqnr: 15 },
  { name: 'YOLOv8n 160x160 int8', model: () => cachedFixture('yolov8n', buildYoloV8n, { resolution: 160 }), input: '', dims: [1, 3, 160, 160], weights: 'int8', data: random(3 * 160 * 160), minSqnr: 20 },
];

describe.skipIf(!hasAssets)('QDQ models on the integer kernels vs a float simulation of the quantization', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const rng = testRng();
      const float = c.model();
      const probe = await InferenceSession.create(float, { context: await testGpu() });
      const input = c.input || probe.inputNames[0];
      probe.dispose();
      const batch = (i: number) => ({ [input]: { dims: c.dims, data: c.data(rng, i) } });
      const calib = calibrationSet([1, 2, 3, 4].map(batch));
      // Mixed on ResNet-18: round-to-nearest, since GPTQ's Cholesky of 4608-column layers (512 x 3 x 3) is minutes in
      // TypeScript; the int4 case runs the default (GPTQ) path on the GPU.
      const q = await quantize(float, calib, { method: 'minmax', weights: c.weights, source: (g) => ortSource(g), searchBatches: 1, rounding: c.weights === 'mixed' ? 'nearest' : undefined });
      const session = await InferenceSession.create(q.bytes, { context: await testGpu() });
      const steps = session.steps();
      const convs = steps.filter((s) => s.op === 'Conv');
      const integer = convs.filter((s) => s.precision === 'w8a8' || s.precision === 'w4a8');
      // Every conv of the QDQ model runs on an integer kernel (none dequantized to float).
      expect(integer.length).toBe(convs.length);
      if (c.weights === 'int4') expect(convs.some((s) => s.precision === 'w4a8')).toBe(true);
      // Each layer runs at the precision the quantizer chose for it.
      for (const s of convs) {
        const bits = q.bits.get(s.node.split('+')[0]);
        expect(s.precision, s.node).toBe(bits === 4 ? 'w4a8' : 'w8a8');
      }
      const feeds: Feeds = batch(0);
      const ours = await session.run(feeds);
      const sim = await ortRun(q.bytes, feeds, { graphOptimizationLevel: 'disabled' });
      // The first output is the network's own (logits, detection head); ResNet-8's `probs` is softmax(logits), which
      // magnifies small logit differences, so it is reported but not bounded.
      Object.keys(sim).forEach((name, i) => {
        const db = sqnr(sim[name].data, ours[name].data);
        console.log(`${c.name} ${name}: SQNR ${db.toFixed(1)} dB vs float simulation, rel err ${relError(ours[name].data, sim[name].data).toExponential(2)}; weights ${session.memory().weightBytes} B`);
        if (i === 0) expect(db).toBeGreaterThanOrEqual(c.minSqnr);
      });
      session.dispose();
      // Mixed: the sensitivity pass and the search take minutes on 2 shared cores.
    }, c.weights === 'mixed' ? 400_000 : undefined);
  }
});
