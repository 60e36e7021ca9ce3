import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { targetOf } from '../src/gpu/profiles.ts';
import { planModel } from '../src/runtime/plan/build.ts';
import { type Lifetime, isValidPlan, planBuffers } from '../src/runtime/plan/memory.ts';
import { releaseConstBytes, uploadConstants } from '../src/runtime/plan/upload.ts';
import { modelPath } from './helpers/assets.ts';
import { testGpu } from './helpers/gpu.ts';
import { testRng } from './helpers/rng.ts';

describe('buffer plan by liveness', () => {
  it('reuses buffers along a chain', () => {
    const chain: Lifetime[] = [0, 1, 2, 3, 4].map((i) => ({ name: `v${i}`, bytes: 100, def: i, lastUse: i + 1 }));
    const plan = planBuffers(chain);
    expect(isValidPlan(chain, plan)).toBe(true);
    expect(plan.slotBytes.length).toBe(2);
    expect(plan.peakBytes).toBe(200);
    expect(plan.naiveBytes).toBe(500);
  });
  it('never overlaps live values on random graphs', () => {
    const rng = testRng();
    for (let t = 0; t < 50; t++) {
      const n = rng.int(2, 40);
      const vs: Lifetime[] = [];
      for (let i = 0; i < n; i++) {
        const pinned = rng.next() < 0.1;
        vs.push({ name: `v${i}`, bytes: rng.int(1, 1000), def: i - 1, lastUse: pinned ? Infinity : i + rng.int(0, 6), pinned });
      }
      const plan = planBuffers(vs);
      expect(isValidPlan(vs, plan)).toBe(true);
      expect(plan.peakBytes).toBeLessThanOrEqual(plan.naiveBytes);
    }
  });
});

describe('plan constants after upload', () => {
  it('released bytes keep size and digest; uploading the released plan again names the constant', async () => {
    const gpu = await testGpu();
    const plan = planModel(new Uint8Array(readFileSync(modelPath('resnet8_cifar10_mlperf_tiny.onnx'))), targetOf(gpu), { precision: 'int8' });
    const before = plan.consts.map((c) => ({ size: c.size, digest: c.digest }));
    expect(plan.consts.every((c) => c.bytes?.byteLength === c.size)).toBe(true);
    const bufs = await uploadConstants(gpu.device, plan.consts);
    try {
      expect(bufs.map((b) => b.size)).toEqual(before.map((c) => c.size));
      releaseConstBytes(plan.consts);
      expect(plan.consts.filter((c) => c.bytes !== undefined).length).toBe(0);
      expect(plan.consts.map((c) => ({ size: c.size, digest: c.digest }))).toEqual(before);
      const c0 = plan.consts[0];
      await expect(uploadConstants(gpu.device, plan.consts)).rejects.toThrow(`constant 0 '${c0.label}' (${c0.size} bytes) was released`);
    } finally {
      bufs.forEach((b) => b.destroy());
    }
  });
});
