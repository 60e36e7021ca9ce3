/**
 * Per-layer precision on a float model: fp16 weights (f16 storage, f32 math where the device has no shader-f16),
 * weight-only int8 / int4, and a mixed JSON config. The reference is onnxruntime-node on the same model with each
 * layer's weights replaced by their quantize -> dequantize (or f16-rounded) values: the kernels must match it like
 * FP32 does (relative error <= 1e-4).
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { load } from '../src/runtime/onnx/load.ts';
import { save } from '../src/runtime/onnx/save.ts';
import { layerPrecision, parsePrecisionConfig, type PrecisionConfig } from '../src/runtime/precision.ts';
import { roundToF16 } from '../src/shaders/pack-float.ts';
import { testGpu } from './helpers/gpu.ts';
import { readAsset } from './helpers/assets.ts';
import { ortRun } from './helpers/ort.ts';
import { relError, testRng } from './helpers/rng.ts';

/** Symmetric per-output-channel fake quantization, the weight-only kernels' rule (conv2d_wo.ts). */
function fakeQuantRows(w: Float32Array, rows: number, bits: 4 | 8): Float32Array {
  const qmax = bits === 8 ? 127 : 7;
  const per = w.length / rows;
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let i = 0; i < per; i++) m = Math.max(m, Math.abs(w[r * per + i]));
    const s = m > 0 ? Math.fround(m / qmax) : 1;
    for (let i = 0; i < per; i++) out[r * per + i] = Math.fround(Math.max(-qmax, Math.min(qmax, Math.round(w[r * per + i] / s))) * s);
  }
  return out;
}

/** The model with every Conv / Gemm weight as the config's precision would see it. */
function simulated(bytes: Uint8Array, config: PrecisionConfig): Uint8Array {
  const g = load(bytes);
  for (const n of g.nodes) {
    if (n.opType !== 'Conv' && n.opType !== 'Gemm') continue;
    const t = g.initializers.get(n.inputs[1])!;
    const w = t.data as Float32Array;
    const p = layerPrecision(config, n.name).weights;
    // Output channels are rows: OIHW for Conv; Gemm B is [N, K] with transB = 1 in the asset.
    const rows = t.dims[0];
    const data = p === 'fp16' ? w.map(roundToF16) : p === 'int8' || p === 'int4' ? fakeQuantRows(w, rows, p === 'int8' ? 8 : 4) : w;
    g.initializers.set(n.inputs[1], { ...t, data });
  }
  return save(g);
}

const configs: Record<string, PrecisionConfig> = {
  fp16: parsePrecisionConfig({ default: { weights: 'fp16', activations: 'fp32' } }),
  'weight-only int8': parsePrecisionConfig({ default: { weights: 'int8', activations: 'fp32' } }),
  'weight-only int4': parsePrecisionConfig({ default: { weights: 'int4', activations: 'fp32' } }),
  mixed: parsePrecisionConfig({
    default: { weights: 'int8', activations: 'fp32' },
    layers: { conv2d: { weights: 'fp32' }, 'conv2d_[67]': { weights: 'int4' }, 'dense': { weights: 'fp16' } },
  }),
};

describe('per-layer precision configs on ResNet-8', () => {
  for (const [name, config] of Object.entries(configs)) {
    it(name, async () => {
      const rng = testRng();
      const bytes = readAsset('models/resnet8_cifar10_mlperf_tiny.onnx');
      const session = await InferenceSession.create(bytes, { context: await testGpu(), config });
      const feeds = { input: { dims: [1, 3, 32, 32], data: rng.floats(3072, 0, 255) } };
      const ours = await session.run(feeds);
      const ref = await ortRun(simulated(bytes, config), feeds);
      const err = relError(ours.logits.data, ref.logits.data);
      const kinds = [...new Set(session.steps().filter((s) => s.op === 'Conv' || s.op === 'Gemm').map((s) => s.precision))];
      console.log(`${name}: rel err ${err.toExponential(2)}, weights ${session.memory().weightBytes} B, kernels ${kinds.join(',')}`);
      expect(err).toBeLessThanOrEqual(1e-4);
      if (name === 'mixed') expect(kinds.sort()).toEqual(['fp16', 'fp32', 'w4a32', 'w8a32']);
      session.dispose();
    });
  }

  it('rejects a config with a bad entry, naming it', () => {
    expect(() => parsePrecisionConfig({ default: { weights: 'int3' } })).toThrow(/weights.*int3/);
    expect(() => parsePrecisionConfig({ default: { weights: 'int8' }, layers: { x: { granularity: { group: 12 } } } })).toThrow(/layer "x".*multiple of 8/);
  });
});
