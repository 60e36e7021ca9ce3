/**
 * Sequential activation ranges (src/ptq/ranges.ts): waves of quantized activations, and the defining property of
 * the result: in the final QDQ model, each quantized tensor's own values (what its QuantizeLinear reads, computed
 * from every upstream tensor quantized at its decided range) have exactly the range its calibrator gives, on random
 * nets and inputs. Then the same ranges read from the GPU runtime as deployed, and quantize() end to end.
 */
import { describe, expect, it } from 'vitest';
import { createObserver, type ObserverMethod } from '../src/quant/index.ts';
import type { Graph, Node, TensorData } from '../src/runtime/ir.ts';
import { buildQdq, layerInputs, uniformBits } from '../src/ptq/build.ts';
import { activationParams, calibrate, calibrationSet, observerParams } from '../src/ptq/calibrate.ts';
import { activationsToQuantize } from '../src/ptq/qdq.ts';
import { quantize } from '../src/ptq/quantize.ts';
import { outputSqnr, referenceOutputs } from '../src/ptq/sensitivity.ts';
import { activationWaves, sequentialRanges } from '../src/ptq/ranges.ts';
import { gpuRuntimeSource, ortSource, type Tensors } from '../src/ptq/source.ts';
import { type Rng, testRng } from './helpers/rng.ts';

const node = (name: string, opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({ name, opType, domain: '', inputs, outputs, attrs });
const pads = { type: 'ints' as const, value: [1, 1, 1, 1] };

/** x -> conv1 -> relu -> a1 -> conv2 (y2) and conv3 (y3) -> add -> relu -> r -> conv4 -> out. */
function net(rng: Rng): Graph {
  const t = (dims: number[]): TensorData => ({ dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.normal() / Math.sqrt(dims.slice(1).reduce((a, b) => a * b, 1))) });
  const bias = (c: number): TensorData => ({ dtype: 'float32', dims: [c], data: Float32Array.from({ length: c }, () => 0.3 * rng.normal()) });
  return {
    name: 'seq', opset: 13, valueInfo: new Map(),
    initializers: new Map([['w1', t([8, 3, 3, 3])], ['b1', bias(8)], ['w2', t([6, 8, 3, 3])], ['w3', t([6, 8, 1, 1])], ['w4', t([4, 6, 3, 3])], ['b4', bias(4)]]),
    nodes: [
      node('conv1', 'Conv', ['x', 'w1', 'b1'], ['y1'], { pads }), node('relu1', 'Relu', ['y1'], ['a1']),
      node('conv2', 'Conv', ['a1', 'w2'], ['y2'], { pads }), node('conv3', 'Conv', ['a1', 'w3'], ['y3']),
      node('add', 'Add', ['y2', 'y3'], ['s']), node('relu2', 'Relu', ['s'], ['r']),
      node('conv4', 'Conv', ['r', 'w4', 'b4'], ['out'], { pads }),
    ],
    inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3, 8, 8] }], outputs: [{ name: 'out', dtype: 'float32', shape: [2, 4, 8, 8] }],
  };
}

async function setup(rng: Rng) {
  const g = net(rng);
  const batches: Tensors[] = Array.from({ length: 3 }, () => ({ x: { dims: [2, 3, 8, 8], data: Float32Array.from({ length: 384 }, () => rng.normal()) } }));
  const src = await ortSource(g);
  const stats = await calibrate(src, activationsToQuantize(g), calibrationSet(batches), { methods: ['minmax', 'mse'], means: layerInputs(g) });
  await src.dispose();
  return { g, batches, stats };
}

const sim = (q: Graph) => ortSource(q, { optimization: 'disabled' });

describe('sequential activation ranges', () => {
  it('orders the quantized activations in waves by the quantized activations upstream', () => {
    const g = net(testRng());
    expect(activationsToQuantize(g)).toEqual(['a1', 'y2', 'y3', 'r', 'x']);
    expect(activationWaves(g, activationsToQuantize(g))).toEqual([['x'], ['a1'], ['y2', 'y3'], ['r']]);
    // Without x quantized, a1 has nothing quantized upstream.
    expect(activationWaves(g, ['a1', 'y2', 'y3', 'r'])).toEqual([['a1'], ['y2', 'y3'], ['r']]);
  });

  it('gives each tensor the range of its own values in the final quantized model (int4 and int8 weights, two calibrators)', async () => {
    const rng = testRng();
    for (const b of [4, 8] as const) {
      const { g, batches, stats } = await setup(rng);
      const bits = uniformBits(g, b);
      const build = { method: 'minmax' as ObserverMethod, biasCorrection: true };
      // y3 with mse, the rest with minmax: each tensor keeps its own calibrator.
      const methods = new Map<string, ObserverMethod>([['y3', 'mse']]);
      const seq = (await sequentialRanges(g, stats, bits, build, calibrationSet(batches), { source: sim, methods })).params;
      expect([...seq.keys()].sort()).toEqual(['a1', 'r', 'y2', 'y3']);
      const final = buildQdq(g, stats, bits, { ...build, activations: seq });
      // Independently: observe every quantized tensor of the finished model over the same batches.
      const src = await sim(final);
      const obs = new Map([...seq.keys()].map((n) => [n, createObserver(methods.get(n) ?? 'minmax')]));
      for (const batch of batches) {
        const out = await src.run(batch, [...seq.keys()]);
        for (const [n, o] of obs) o.observe(out[n].data);
      }
      await src.dispose();
      const float = activationParams(stats, 'minmax');
      let moved = 0;
      for (const [n, p] of seq) {
        expect(p, n).toEqual(observerParams(obs.get(n)!));
        if (p.scale !== float.get(n)!.scale) moved++;
        console.log(`W${b}: ${n}: float-pass scale ${float.get(n)!.scale.toPrecision(5)}, sequential ${p.scale.toPrecision(5)}`);
      }
      // The quantized model's values differ from the float model's: the ranges moved (a1 reads int8 x and quantized w1).
      expect(moved).toBeGreaterThan(0);
    }
  });

  it('with select: each tensor takes the calibrator whose range gives the best output SQNR on top of the earlier waves (checked by full runs)', async () => {
    const rng = testRng();
    const { g, batches } = await setup(rng);
    const all: ObserverMethod[] = ['minmax', 'percentile', 'entropy', 'mse'];
    const src = await ortSource(g);
    const stats4 = await calibrate(src, activationsToQuantize(g), calibrationSet(batches), { methods: all, means: layerInputs(g) });
    await src.dispose();
    const bits = uniformBits(g, 8);
    const build = { method: 'minmax' as ObserverMethod, biasCorrection: true };
    const search = batches.slice(0, 2);
    const r = await sequentialRanges(g, stats4, bits, build, calibrationSet(batches), { source: sim, select: { methods: all, batches: search, run: sim } });
    const ref = await referenceOutputs(sim, g, search);
    const waves = activationWaves(g, [...r.params.keys()]);
    let distinct = 0;
    for (const [k, wave] of waves.entries()) {
      const earlier = new Map(waves.slice(0, k).flat().map((n) => [n, r.params.get(n)!]));
      for (const n of wave) {
        const c = r.choices.get(n)!;
        // The candidates: each method's range over this tensor's values in the model quantized up to the wave before.
        const base = buildQdq(g, stats4, bits, { ...build, activations: earlier, floatRest: true });
        const s = await sim(base);
        const obs = all.map((m) => createObserver(m));
        for (const b of batches) {
          const v = (await s.run(b, [n]))[n].data;
          obs.forEach((o) => o.observe(v));
        }
        await s.dispose();
        const params = obs.map(observerParams);
        distinct += new Set(params.map((p) => p.scale)).size > 1 ? 1 : 0;
        for (const [i, m] of all.entries()) {
          const full = await outputSqnr(sim, buildQdq(g, stats4, bits, { ...build, activations: new Map([...earlier, [n, params[i]]]), floatRest: true }), search, ref);
          expect(c.sqnr[m], `${n} ${m}`).toBeCloseTo(full, 6);
        }
        const best = Math.max(...all.map((m) => c.sqnr[m]!));
        expect(c.sqnr[c.method]).toBe(best);
        expect(r.params.get(n)).toEqual(params[all.indexOf(c.method)]);
        console.log(`${n}: ${all.map((m) => `${m} ${c.sqnr[m]!.toFixed(2)}`).join(', ')} dB -> ${c.method}`);
      }
    }
    expect(distinct).toBeGreaterThan(0);
  });

  it('reads the same ranges from the GPU runtime as deployed (fused integer arithmetic), within a step of the simulation', async () => {
    const rng = testRng();
    const { g, batches, stats } = await setup(rng);
    const bits = uniformBits(g, 4);
    const build = { method: 'minmax' as ObserverMethod, biasCorrection: true };
    const want = (await sequentialRanges(g, stats, bits, build, calibrationSet(batches), { source: sim })).params;
    const got = (await sequentialRanges(g, stats, bits, build, calibrationSet(batches), { source: (q) => gpuRuntimeSource(q, { x: [2, 3, 8, 8] }) })).params;
    for (const [n, p] of want) {
      const q = got.get(n)!;
      // min/max of values that differ by float rounding (and, downstream, by a tie that rounds the other way).
      expect(Math.abs(q.scale - p.scale) / p.scale, n).toBeLessThan(0.02);
      expect(Math.abs(q.zeroPoint - p.zeroPoint), n).toBeLessThanOrEqual(2);
    }
  });

  it("quantize({ ranges: 'sequential' }) writes those ranges into the model, chunked runs included", async () => {
    const rng = testRng();
    const { g, batches } = await setup(rng);
    const data = calibrationSet(batches);
    const source = (q: Graph) => ortSource(q);
    const plain = await quantize(g, data, { method: 'minmax', weights: 'int4', rounding: 'nearest', source });
    const seq = await quantize(g, data, { method: 'minmax', weights: 'int4', rounding: 'nearest', source, ranges: 'sequential' });
    const chunked = await quantize(g, data, { method: 'minmax', weights: 'int4', rounding: 'nearest', source, ranges: 'sequential', rangeWavesPerRun: 4 });
    const scaleOf = (q: Graph, t: string): number => (q.initializers.get(q.nodes.find((n) => n.opType === 'QuantizeLinear' && n.inputs[0] === t)!.inputs[1])!.data as Float32Array)[0];
    const r = (q: Graph) => ['a1', 'y2', 'y3', 'r'].map((t) => scaleOf(q, t));
    // a1 is the first wave: the same run (x and the weights quantized) in both; the chunk sees y2, y3 in float.
    expect(r(chunked.graph)[0]).toBe(r(seq.graph)[0]);
    expect(r(seq.graph)).not.toEqual(r(plain.graph));
    expect(r(chunked.graph)).not.toEqual(r(plain.graph));
    const stages = new Set<string>();
    await quantize(g, data, { method: 'minmax', weights: 'int8', source, ranges: 'sequential', onProgress: (s) => stages.add(s) });
    expect(stages.has('ranges')).toBe(true);
  });
});
