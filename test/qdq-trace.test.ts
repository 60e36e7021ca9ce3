/**
 * The per-tensor QDQ trace (helpers/qdq-trace.ts) on its own, with onnxruntime standing in for our runtime (no GPU):
 * its overrides must reproduce onnxruntime's codes exactly (Q of the dequantized value: nothing differs), and a
 * planted difference must be found at the tensor where it was planted, with its size, and nowhere downstream.
 */
import { describe, expect, it } from 'vitest';
import { load } from '../src/runtime/onnx/load.ts';
import { ortRun } from './helpers/ort.ts';
import { type RunOurs, oursName, traceQdq, tracePoints } from './helpers/qdq-trace.ts';
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
    expect(t.all.length).toBe(9);
  });

  it('finds a planted 2-LSB difference where it is planted, and only there', async () => {
    const rng = testRng();
    const p = qdqPattern(RESNET, rng);
    const points = tracePoints(load(p.bytes));
    const target = points[rng.int(0, points.length - 1)];
    const at = 3;
    const planted: RunOurs = async (bytes, feeds) => {
      const r = await ortAsOurs(bytes, feeds);
      r[oursName(target)].data[at] += 2 * target.scale;
      return r;
    };
    const t = await traceQdq(p.bytes, p.feeds, planted);
    expect(t.diffs.map((d) => [d.point.name, d.maxLsb, d.off, d.where[0].index])).toEqual([[target.name, 2, 1, at]]);
  });

  it('cuts the graph at every traced tensor: downstream layers read the override, the tensor itself is computed', async () => {
    const p = qdqPattern(RESNET, testRng());
    const points = tracePoints(load(p.bytes));
    const [, stem, next] = points;
    // A wrong override for the stem's output (+3 LSB everywhere): the stem's own traced copy is still computed
    // from the real input (exact), and the next layer, which reads the override, must now differ.
    const planted: RunOurs = async (bytes, feeds) => {
      const k = `${stem.input}#ref`;
      expect(feeds[k], 'override input of the stem').toBeDefined();
      return ortAsOurs(bytes, { ...feeds, [k]: { dims: feeds[k].dims, data: feeds[k].data.map((v) => v + 3 * stem.scale) } });
    };
    const t = await traceQdq(p.bytes, p.feeds, planted);
    const names = t.diffs.map((d) => d.point.name);
    expect(names).not.toContain(stem.name);
    expect(names).toContain(next.name);
  });
});
