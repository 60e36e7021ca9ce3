/**
 * SuffixMeter (src/ptq/suffix.ts): the cached, downstream-only output SQNR must equal the full-model measurement.
 */
import { describe, expect, it } from 'vitest';
import type { Graph, Node, TensorData } from '../src/runtime/ir.ts';
import { buildQdq } from '../src/ptq/build.ts';
import { activationParams, calibrate, calibrationSet } from '../src/ptq/calibrate.ts';
import { activationsToQuantize, insertQdq } from '../src/ptq/qdq.ts';
import { outputSqnr, referenceOutputs } from '../src/ptq/sensitivity.ts';
import { ortSource, type Tensors } from '../src/ptq/source.ts';
import { changedFrom, SuffixMeter, suffixGraph } from '../src/ptq/suffix.ts';
import { testRng } from './helpers/rng.ts';

const node = (name: string, opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({ name, opType, domain: '', inputs, outputs, attrs });

/** x -> c1 -> relu r1 -> c2 -> relu r2 -> c3 -> add(c3, r1) -> y: a skip value the suffix must take from the cache. */
function chain(rng: ReturnType<typeof testRng>): Graph {
  const t = (dims: number[]): TensorData => ({ dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.3) });
  const pads = { type: 'ints' as const, value: [1, 1, 1, 1] };
  return {
    name: 'chain', opset: 13, valueInfo: new Map(),
    initializers: new Map([['w1', t([6, 3, 3, 3])], ['w2', t([6, 6, 3, 3])], ['w3', t([6, 6, 3, 3])]]),
    nodes: [
      node('c1', 'Conv', ['x', 'w1'], ['y1'], { pads }), node('r1', 'Relu', ['y1'], ['a1']),
      node('c2', 'Conv', ['a1', 'w2'], ['y2'], { pads }), node('r2', 'Relu', ['y2'], ['a2']),
      node('c3', 'Conv', ['a2', 'w3'], ['y3'], { pads }), node('add', 'Add', ['y3', 'a1'], ['y']),
    ],
    inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 3, 6, 6] }], outputs: [{ name: 'y', dtype: 'float32', shape: ['N', 6, 6, 6] }],
  };
}

/** A fresh random chain, batches of 3 and 2 images, its min/max statistics. */
async function setup() {
  const rng = testRng();
  const g = chain(rng);
    const batches: Tensors[] = [3, 2].map((n) => ({ x: { dims: [n, 3, 6, 6], data: Float32Array.from({ length: n * 108 }, () => rng.normal()) } }));
    const run = (q: Graph) => ortSource(q, { optimization: 'disabled' });
    const stats = await calibrate(await ortSource(g), activationsToQuantize(g), calibrationSet(batches), { methods: ['minmax'] });
    const p = activationParams(stats, 'minmax');
  return { g, batches, run, stats, p };
}

describe('SuffixMeter', () => {
  it('reruns only what is downstream of the quantized tensor and measures the same SQNR as the whole model', async () => {
    const { g, batches, run, stats, p } = await setup();
    const q = insertQdq(g, { activations: new Map([['a2', p.get('a2')!]]), weights: new Map() });
    const s = suffixGraph(q);
    expect(s.graph.nodes.map((n) => n.opType)).toEqual(['QuantizeLinear', 'DequantizeLinear', 'Conv', 'Add']);
    expect(s.inputs.sort()).toEqual(['a1', 'a2']);
    const meter = await SuffixMeter.create(run, g, batches);
    const ref = await referenceOutputs(run, g, batches);
    const graphs = [q, buildQdq(g, stats, new Map([['c2', 4]]), { method: 'minmax', biasCorrection: false }),
      insertQdq(g, { activations: new Map([['a1', p.get('a1')!]]), weights: new Map() })];
    const full: number[] = [];
    for (const graph of graphs) {
      full.push(await outputSqnr(run, graph, batches, ref));
      expect(await meter.sqnr(graph)).toBeCloseTo(full.at(-1)!, 6);
    }
    // Batched: all three suffixes in one combined graph, and in chunks of one or two.
    for (const maxNodes of [1500, 5]) {
      const many = await meter.sqnrMany(graphs, undefined, maxNodes);
      many.forEach((v, i) => expect(v).toBeCloseTo(full[i], 6));
    }
  });

  it('on a partly quantized base: measures what a graph adds on top of it, weights (constant DQs) recomputed, not fed as batch values', async () => {
    // Batches of 3 and 2 images; the weights have 6 output channels: a weight fed as a boundary value would be
    // declared [N, ...] with N the batch.
    const { g, batches, run, stats } = await setup();
    const p = activationParams(stats, 'minmax');
    const bits = new Map([['c1', 8], ['c2', 8], ['c3', 8]] as const);
    const build = { method: 'minmax' as const, biasCorrection: false, floatRest: true };
    const base = buildQdq(g, stats, bits, { ...build, activations: new Map([['a1', p.get('a1')!]]) });
    const top = buildQdq(g, stats, bits, { ...build, activations: new Map([['a1', p.get('a1')!], ['a2', p.get('a2')!]]) });
    const s = suffixGraph(top, undefined, changedFrom(base));
    // a2's Q/DQ, then c3 with its weight's DequantizeLinear recomputed, then the Add.
    expect(s.graph.nodes.map((n) => n.opType)).toEqual(['DequantizeLinear', 'QuantizeLinear', 'DequantizeLinear', 'Conv', 'Add']);
    expect(s.inputs.sort()).toEqual(['a1_DequantizeLinear_Output', 'a2']);
    const ref = await referenceOutputs(run, g, batches);
    const meter = await SuffixMeter.create(run, base, batches, ref);
    const want = await outputSqnr(run, top, batches, ref);
    expect(await meter.sqnr(top)).toBeCloseTo(want, 6);
    const many = await meter.sqnrMany([top, top]);
    many.forEach((v) => expect(v).toBeCloseTo(want, 6));
  });
});
