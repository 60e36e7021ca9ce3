/**
 * ResNet-18, ResNet-50 (ImageNet topology, 224x224) and a YOLOv8n-topology graph (640x640), built by the test
 * fixtures with random He-initialized weights, match onnxruntime-node in FP32 on WebGPU (relative error <= 1e-4).
 * QUANTGPU_FIXTURE_SCALE=small runs them at reduced resolution (for quick local runs).
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { cachedFixture } from './fixtures/cache.ts';
import { buildResNet18, buildResNet50 } from './fixtures/resnet.ts';
import { buildYoloV8n } from './fixtures/yolov8.ts';
import { testGpu } from './helpers/gpu.ts';
import { ortRun } from './helpers/ort.ts';
import { relError, testRng } from './helpers/rng.ts';

const small = process.env.QUANTGPU_FIXTURE_SCALE === 'small';
const cases = [
  { name: 'resnet18', bytes: () => cachedFixture('resnet18', buildResNet18, { resolution: small ? 64 : 224 }), size: small ? 64 : 224 },
  { name: 'resnet50', bytes: () => cachedFixture('resnet50', buildResNet50, { resolution: small ? 64 : 224 }), size: small ? 64 : 224 },
  { name: 'yolov8n', bytes: () => cachedFixture('yolov8n', buildYoloV8n, { resolution: small ? 160 : 640 }), size: small ? 160 : 640 },
];

describe('FP32 fixtures match onnxruntime-node', () => {
  for (const c of cases) {
    it(`${c.name} at ${c.size}x${c.size}`, async () => {
      const rng = testRng();
      const model = c.bytes();
      const session = await InferenceSession.create(model, { context: await testGpu() });
      const [input] = session.inputNames;
      const dims = session.inputShapes[input];
      const feeds = { [input]: { dims, data: rng.floats(dims.reduce((a, b) => a * b, 1), -1, 1) } };
      const t0 = performance.now();
      const ours = await session.run(feeds);
      const ms = performance.now() - t0;
      const ref = await ortRun(model, feeds);
      for (const name of Object.keys(ref)) {
        expect(ours[name].dims).toEqual(ref[name].dims);
        const err = relError(ours[name].data, ref[name].data);
        console.log(`${c.name} ${name} [${ref[name].dims}]: rel err ${err.toExponential(2)} (first run ${ms.toFixed(0)} ms)`);
        expect(err).toBeLessThanOrEqual(1e-4);
      }
      session.dispose();
    });
  }
});
