/**
 * Every committed model (models/), run in FP32 on real inputs on WebGPU, matches onnxruntime-node (CPU) within
 * relative error 1e-4 (max abs diff / max abs of the reference).
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { testGpu } from './helpers/gpu.ts';
import { hasAssets, readAsset } from './helpers/assets.ts';
import { ortRun } from './helpers/ort.ts';
import { relError, testRng } from './helpers/rng.ts';

function cifarBatch(n: number, normalize: boolean, offset: number): Float32Array {
  const bin = readAsset('data/cifar10_test_1000.bin');
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const out = new Float32Array(n * 3072);
  for (let i = 0; i < n; i++) {
    const rec = bin.subarray((offset + i) * 3073 + 1, (offset + i + 1) * 3073);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) {
      const v = rec[c * 1024 + p];
      out[i * 3072 + c * 1024 + p] = normalize ? (v / 255 - mean[c]) / std[c] : v;
    }
  }
  return out;
}

const cases = [
  { file: 'resnet20_cifar10.onnx', input: 'input', dims: [2, 3, 32, 32], data: (o: number) => cifarBatch(2, true, o) },
  { file: 'resnet8_cifar10_mlperf_tiny.onnx', input: 'input', dims: [2, 3, 32, 32], data: (o: number) => cifarBatch(2, false, o) },
  { file: 'fastestdet_coco_352.onnx', input: 'input.1', dims: [1, 3, 352, 352], data: (_: number, r = testRng()) => r.floats(3 * 352 * 352, 0, 1) },
  { file: 'yolox_nano_coco_416.onnx', input: 'images', dims: [1, 3, 416, 416], data: (_: number, r = testRng()) => r.floats(3 * 416 * 416, 0, 255) },
];

describe('FP32 on WebGPU matches onnxruntime-node on the asset models', () => {
  for (const c of cases) {
    // The ResNets run on CIFAR-10 images (labeled data, not in git); the detectors on random inputs.
    it.skipIf(c.file.startsWith('resnet') && !hasAssets)(c.file, async () => {
      const rng = testRng();
      const model = readAsset(`models/${c.file}`);
      const data = c.data(rng.int(0, 900));
      const feeds = { [c.input]: { dims: c.dims, data } };
      const { device } = await testGpu();
      void device;
      const session = await InferenceSession.create(model, { context: await testGpu(), inputShapes: { [c.input]: c.dims } });
      const ours = await session.run(feeds);
      const ref = await ortRun(model, feeds);
      for (const name of Object.keys(ref)) {
        expect(ours[name].dims).toEqual(ref[name].dims);
        const err = relError(ours[name].data, ref[name].data);
        console.log(`${c.file} ${name}: rel err ${err.toExponential(2)}`);
        expect(err).toBeLessThanOrEqual(1e-4);
      }
      session.dispose();
    });
  }
});
