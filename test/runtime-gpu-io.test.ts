/** Inputs and outputs that stay on the GPU: runGpu with an NHWC buffer, outputs read from outputBuffers(). */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { readBuffer, uploadBuffer } from '../src/gpu/exec.ts';
import { testGpu } from './helpers/gpu.ts';
import { readAsset } from './helpers/assets.ts';
import { relError, testRng } from './helpers/rng.ts';

describe('GPU-resident inputs and outputs', () => {
  it('runGpu on an NHWC buffer gives the same logits as run() on NCHW host data', async () => {
    const ctx = await testGpu();
    const rng = testRng();
    const bytes = readAsset('models/resnet8_cifar10_mlperf_tiny.onnx');
    const nchw = rng.floats(3 * 32 * 32, 0, 255);
    const nhwc = new Float32Array(nchw.length);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) nhwc[p * 3 + c] = nchw[c * 1024 + p];
    const host = await InferenceSession.create(bytes, { context: ctx });
    const want = await host.run({ input: { dims: [1, 3, 32, 32], data: nchw } });
    const gpu = await InferenceSession.create(bytes, { context: ctx, inputLayout: 'nhwc' });
    // The NHWC session needs no transpose of its input.
    expect(gpu.steps().some((s) => s.op === 'ToNHWC')).toBe(false);
    expect(host.steps().some((s) => s.op === 'ToNHWC')).toBe(true);
    const buffer = uploadBuffer(ctx.device, nhwc, 'frame');
    const got = await gpu.runGpu({ input: { dims: [1, 3, 32, 32], buffer, layout: 'nhwc' } });
    expect(Array.from(got.logits.data)).toEqual(Array.from(want.logits.data));
    // Outputs left on the GPU hold the same values.
    await gpu.runGpu({ input: { dims: [1, 3, 32, 32], buffer, layout: 'nhwc' } }, { read: false });
    const out = gpu.outputBuffers().logits;
    const back = new Float32Array(await readBuffer(ctx.device, out.buffer, 40));
    expect(Array.from(back)).toEqual(Array.from(want.logits.data));
    await expect(gpu.runGpu({ input: { dims: [1, 3, 32, 32], buffer, layout: 'nchw' } })).rejects.toThrow(/nhwc/);
    buffer.destroy();
    host.dispose();
    gpu.dispose();
  });
});

describe('plan-time autotuning', () => {
  it('picks a variant per float layer, caches it per adapter, and keeps the outputs exact', async () => {
    const { Autotuner } = await import('../src/runtime/plan/autotune.ts');
    const ctx = await testGpu();
    const rng = testRng();
    const bytes = readAsset('models/resnet8_cifar10_mlperf_tiny.onnx');
    const feeds = { input: { dims: [1, 3, 32, 32], data: rng.floats(3072, 0, 255) } };
    const plain = await InferenceSession.create(bytes, { context: ctx });
    const want = await plain.run(feeds);
    const tuner = new Autotuner();
    const stages: string[] = [];
    const tuned = await InferenceSession.create(bytes, { context: ctx, tune: tuner, onProgress: (p) => stages.push(p.stage) });
    expect(stages).toContain('tune');
    expect(tuner.size).toBeGreaterThan(0);
    const got = await tuned.run(feeds);
    expect(relError(got.logits.data, want.logits.data)).toBeLessThanOrEqual(1e-4);
    // A second session with the same cache times nothing.
    const again = new Autotuner();
    again.importJSON(tuner.exportJSON());
    const before = again.size;
    const t2 = await InferenceSession.create(bytes, { context: ctx, tune: again });
    expect(again.size).toBe(before);
    [plain, tuned, t2].forEach((s) => s.dispose());
  });
});
