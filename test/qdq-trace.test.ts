/**
 * The per-tensor QDQ trace (helpers/qdq-trace.ts) on its own, with onnxruntime standing in for our runtime (no GPU):
 * it must find nothing when the two agree, find a planted difference at the tensor where it was planted (and name
 * its size), and its override must reproduce onnxruntime's codes exactly (Q of the dequantized value).
 */
import { describe, expect, it } from 'vitest';
import { load } from '../src/runtime/onnx/load.ts';
import { ortRun } from './helpers/ort.ts';
import { type RunOurs, traceQdq, tracePoints } from './helpers/qdq-trace.ts';
import { testRng } from './helpers/rng.ts';
import { qdqPattern } from './fixtures/qdq-patterns.ts';

const RESNET = 'quantize_static ResNet: stem, 2 residual blocks, stride 2, GAP, Gemm';
const ortAsOurs: RunOurs = (bytes, feeds) => ortRun(bytes, feeds, { graphOptimizationLevel: 'disabled' });

describe('QDQ trace helper', () => {
  it('lists the quantized activations in order, leaving out the conv -> Q -> DQ -> Add ones (fused away)', () => {
    const p = qdqPattern(RESNET, testRng());
    const points = tracePoints(load(p.bytes));
    // input, stem, 2 x (first conv, add), stride-2 conv, GAP, gemm; the 2 inner residual convs are left out.
    expect(points.map((q) => q.producer.split(' ')[0])).toEqual(['input', 'Relu', 'Relu', 'Relu', 'Relu', 'Relu', 'Relu', 'GlobalAveragePool', 'Gemm']);
  });

  it('finds no difference between onnxruntime and itself', async () => {
    const p = qdqPattern(RESNET, testRng());
    const t = await traceQdq(p.bytes, p.feeds, ortAsOurs);
    expect(t.diffs).toEqual([]);
    expect(t.runs).toBe(1);
  });

  it('finds a planted 2-LSB difference where it is, overrides it with the reference, and then agrees', async () => {
    const rng = testRng();
    const p = qdqPattern(RESNET, rng);
    const points = tracePoints(load(p.bytes));
    const target = points[rng.int(1, points.length - 1)];
    const at = 3;
    // Plants the error until the tensor is overridden (its Q then reads a graph input instead of the layer).
    const planted: RunOurs = async (bytes, feeds) => {
      const r = await ortAsOurs(bytes, feeds);
      if (!Object.keys(feeds).some((k) => k.endsWith(`/${target.input}`))) r[target.name].data[at] += 2 * target.scale;
      return r;
    };
    const t = await traceQdq(p.bytes, p.feeds, planted);
    expect(t.diffs.map((d) => [d.point.name, d.maxLsb, d.off, d.where[0].index])).toEqual([[target.name, 2, 1, at]]);
    expect(t.runs).toBe(2);
  });
});
