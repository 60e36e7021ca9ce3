/**
 * Speed changes of the PTQ pipeline that must not change results (docs/ptq.md, speed): the calm GPU polling of
 * the calibration source (src/ptq/source.ts) and the per-channel sums of bias correction (src/ptq/calibrate.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Graph, Node, TensorData } from '../src/runtime/ir.ts';
import { channelSums } from '../src/ptq/calibrate.ts';
import { gpuSource, ortSource, withCalmGpuPolling, type Tensors } from '../src/ptq/source.ts';
import { testGpu } from './helpers/gpu.ts';
import { testRng } from './helpers/rng.ts';

const kind = (h: unknown): string => (h as object).constructor.name;

describe('withCalmGpuPolling', () => {
  it('sends native setImmediate callbacks (Dawn polls with them) to setTimeout, JS callbacks stay, restores after', async () => {
    const original = globalThis.setImmediate;
    let ran = 0;
    const inner = async (): Promise<void> => {
      const native = setImmediate(Math.random as () => void);
      const js = setImmediate(() => ran++);
      expect(kind(native)).toBe('Timeout');
      expect(kind(js)).toBe('Immediate');
      clearTimeout(native as unknown as NodeJS.Timeout);
      await new Promise((r) => setTimeout(r, 2));
    };
    await withCalmGpuPolling(async () => {
      expect(globalThis.setImmediate).not.toBe(original);
      await withCalmGpuPolling(inner);
      // Still patched: the outer scope is in flight.
      expect(kind(setImmediate(Math.random as () => void))).toBe('Timeout');
    });
    expect(globalThis.setImmediate).toBe(original);
    expect(ran).toBe(1);
    await expect(withCalmGpuPolling(async () => {
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(globalThis.setImmediate).toBe(original);
    expect(kind(setImmediate(Math.random as () => void))).toBe('Immediate');
  });
});

const node = (name: string, opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({ name, opType, domain: '', inputs, outputs, attrs });

describe('gpuSource under calm polling', () => {
  it('returns the intermediate values onnxruntime computes, with polling patched only while a run is in flight', async () => {
    await testGpu();
    const rng = testRng();
    const t = (dims: number[]): TensorData => ({ dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.3) });
    const pads = { type: 'ints' as const, value: [1, 1, 1, 1] };
    const g: Graph = {
      name: 'two convs', opset: 13, valueInfo: new Map(),
      initializers: new Map([['w1', t([5, 3, 3, 3])], ['w2', t([7, 5, 3, 3])]]),
      nodes: [node('c1', 'Conv', ['x', 'w1'], ['y1'], { pads }), node('r1', 'Relu', ['y1'], ['a1']), node('c2', 'Conv', ['a1', 'w2'], ['y'], { pads })],
      inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3, 5, 6] }], outputs: [{ name: 'y', dtype: 'float32', shape: [2, 7, 5, 6] }],
    };
    const feeds: Tensors = { x: { dims: [2, 3, 5, 6], data: Float32Array.from({ length: 180 }, () => rng.normal()) } };
    const names = ['y1', 'a1', 'y'];
    const original = globalThis.setImmediate;
    const gpu = await gpuSource(g, { x: [2, 3, 5, 6] });
    const ort = await ortSource(g);
    // Dawn's polls must reach setTimeout through the patch: if a Dawn upgrade stopped polling with setImmediate,
    // this count drops to 0 and the speed-up is gone (the values would still be right).
    const originalTimeout = globalThis.setTimeout;
    let nativeTimeouts = 0;
    globalThis.setTimeout = ((cb: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      if (/\[native code\]/.test(Function.prototype.toString.call(cb))) nativeTimeouts++;
      return originalTimeout(cb, ms, ...args);
    }) as typeof setTimeout;
    try {
      const pending = gpu.run(feeds, names);
      expect(globalThis.setImmediate).not.toBe(original);
      const got = await pending;
      globalThis.setTimeout = originalTimeout;
      expect(globalThis.setImmediate).toBe(original);
      expect(nativeTimeouts).toBeGreaterThan(0);
      const want = await ort.run(feeds, names);
      for (const n of names) {
        expect(got[n].dims).toEqual(want[n].dims);
        const ref = want[n].data;
        const maxRef = Math.max(...ref.map(Math.abs));
        const maxDiff = Math.max(...ref.map((v, i) => Math.abs(v - got[n].data[i])));
        expect(maxDiff / maxRef, n).toBeLessThanOrEqual(1e-4);
      }
    } finally {
      globalThis.setTimeout = originalTimeout;
      await gpu.dispose();
      await ort.dispose();
    }
  });
});

describe('channelSums', () => {
  it('equals the per-element formula bit for bit on random shapes (rank 0 to 5, channels and inner sizes of 1)', () => {
    const rng = testRng();
    for (let k = 0; k < 40; k++) {
      const rank = rng.int(0, 5);
      const dims = Array.from({ length: rank }, () => (rng.next() < 0.2 ? 1 : rng.int(1, 7)));
      const len = dims.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: len }, () => rng.normal() * 10 ** rng.int(-3, 3));
      const c = dims.length >= 2 ? dims[1] : 1;
      const inner = dims.slice(2).reduce((a, b) => a * b, 1);
      const want = new Float64Array(c);
      for (let i = 0; i < len; i++) want[Math.floor(i / inner) % c] += data[i];
      const got = channelSums({ dims, data });
      expect([...got.sums], `dims [${dims}]`).toEqual([...want]);
      expect(got.count).toBe(len / c);
    }
  });
});
