/**
 * The ORT-web-like Tensor (src/runtime/tensor.ts) and what `session.run()` accepts: uint8 pixels are widened
 * exactly, GPU buffers go through runGpu, onnxruntime's own Tensor objects work, and anything else is refused
 * with the input's name. The GPU cases run ResNet-8 (committed under models/) on random inputs.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { InferenceSession } from '../src/runtime/session.ts';
import { Tensor, normalizeFeeds } from '../src/runtime/tensor.ts';
import { uploadBuffer } from '../src/gpu/exec.ts';
import { testGpu } from './helpers/gpu.ts';
import { readAsset } from './helpers/assets.ts';
import { testRng } from './helpers/rng.ts';

const DIMS = [1, 3, 32, 32];

describe('Tensor', () => {
  it('checks type against data and dims against length', () => {
    const t = new Tensor('float32', new Float32Array(6), [2, 3]);
    expect([t.type, t.location, t.size, t.dims]).toEqual(['float32', 'cpu', 6, [2, 3]]);
    expect(new Tensor('uint8', new Uint8Array(4)).dims).toEqual([4]);
    expect(() => new Tensor('float32', new Uint8Array(6) as never, [2, 3])).toThrow(/needs Float32Array, got Uint8Array/);
    expect(() => new Tensor('float32', new Float32Array(5), [2, 3])).toThrow(/need 6 values, data has 5/);
    expect(() => new Tensor('float16' as never, new Float32Array(1))).toThrow(/unknown type 'float16'/);
  });

  it('fromImage maps RGBA pixels to NCHW with the pixel transform (reference loop)', () => {
    const rng = testRng();
    const [w, h] = [5, 3];
    const data = Uint8Array.from({ length: w * h * 4 }, () => rng.int(0, 255));
    const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
    const t = Tensor.fromImage({ width: w, height: h, data }, { channelOrder: 'bgr', scale: 1 / 255, mean, std });
    expect(t.dims).toEqual([1, 3, h, w]);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < w * h; p++) {
        const raw = data[p * 4 + (2 - c)];
        expect((t.data as Float32Array)[c * w * h + p]).toBeCloseTo((raw / 255 - mean[c]) / std[c], 5);
      }
    }
    expect(() => Tensor.fromImage({ width: 4, height: 4, data: new Uint8Array(10) })).toThrow(/needs 64 bytes, got 10/);
  });

  it('normalizeFeeds widens uint8, keeps float32, refuses other types by input name', () => {
    const rng = testRng();
    const px = Uint8Array.from({ length: 12 }, () => rng.int(0, 255));
    const n = normalizeFeeds({ a: new Tensor('uint8', px, [1, 3, 2, 2]), b: { dims: [2], data: new Float32Array([1.5, -2]) } });
    expect(Array.from(n.host!.a.data as Float32Array)).toEqual(Array.from(px));
    expect(n.host!.b.data).toBeInstanceOf(Float32Array);
    expect(() => normalizeFeeds({ x: new Tensor('int32', new Int32Array(2)) })).toThrow(/input 'x' holds int32; models take float32/);
    expect(() => normalizeFeeds({ x: [1, 2] as never })).toThrow(/input 'x' is not a tensor/);
    const gpuLike = { dims: [2], buffer: {} as GPUBuffer, layout: 'flat' as const };
    expect(() => normalizeFeeds({ a: { dims: [2], data: new Float32Array(2) }, b: gpuLike })).toThrow(/mix host data \(a\) and GPU buffers \(b\)/);
  });
});

describe('session.run() with Tensor inputs (ResNet-8)', () => {
  it('uint8 pixels, an onnxruntime Tensor and a GPU-buffer Tensor give the logits of float32 host data', async () => {
    const ctx = await testGpu();
    const rng = testRng();
    const bytes = readAsset('models/resnet8_cifar10_mlperf_tiny.onnx');
    const px = Uint8Array.from({ length: 3 * 32 * 32 }, () => rng.int(0, 255));
    const f32 = Float32Array.from(px);
    const session = await InferenceSession.create(bytes, { context: ctx });
    const want = Array.from((await session.run({ input: { dims: DIMS, data: f32 } })).logits.data);
    expect(Array.from((await session.run({ input: new Tensor('uint8', px, DIMS) })).logits.data)).toEqual(want);
    expect(Array.from((await session.run({ input: new ort.Tensor('float32', f32, DIMS) })).logits.data)).toEqual(want);
    expect(Array.from((await session.run({ input: new ort.Tensor('uint8', px, DIMS) })).logits.data)).toEqual(want);
    await expect(session.run({ input: new Tensor('uint8', px, [1, 3, 16, 64]) })).rejects.toThrow(/input 'input' has shape \[1,3,16,64\]/);
    session.dispose();

    // A float32 NHWC GPU buffer through run() (same as runGpu) on a session planned for NHWC input.
    const nhwc = new Float32Array(f32.length);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) nhwc[p * 3 + c] = f32[c * 1024 + p];
    const gpuSession = await InferenceSession.create(bytes, { context: ctx, inputLayout: 'nhwc' });
    const buffer = uploadBuffer(ctx.device, nhwc, 'tensor-test');
    const got = await gpuSession.run({ input: Tensor.fromGpuBuffer(buffer, { dims: DIMS, layout: 'nhwc' }) });
    expect(Array.from(got.logits.data)).toEqual(want);
    buffer.destroy();
    gpuSession.dispose();
  });
});
