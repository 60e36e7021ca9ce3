import { describe, expect, it } from 'vitest';
import { createObserver, type ObserverMethod } from '../src/quant/index.ts';
import { calibrate, calibrationSet } from '../src/ptq/calibrate.ts';
import type { ActivationSource, Tensors } from '../src/ptq/source.ts';
import { testRng } from './helpers/rng.ts';

const METHODS: ObserverMethod[] = ['minmax', 'percentile', 'entropy', 'mse'];

describe('calibrate', () => {
  it('gives every method the range its own observer gives on the same batches (histograms binned once, shared)', async () => {
    const rng = testRng();
    const names = ['a', 'b', 'c'];
    // Batches whose range grows, so the shared histogram widens between batches.
    const batches: Tensors[] = Array.from({ length: 4 }, (_, b) => Object.fromEntries(names.map((n, k) => {
      const len = rng.int(100, 3000);
      const data = Float32Array.from({ length: len }, () => (rng.next() - 0.3 * k) * 2 ** (b * rng.uniform(0, 2)));
      return [n, { dims: [1, len], data }];
    })));
    const source: ActivationSource = {
      label: 'table', run: async (feeds) => feeds, dispose: async () => {},
    };
    const stats = await calibrate(source, names, calibrationSet(batches), { methods: METHODS });
    for (const m of METHODS) {
      for (const n of names) {
        const own = createObserver(m);
        for (const b of batches) own.observe(b[n].data);
        for (const scheme of [{ bits: 8, symmetric: false }, { bits: 4, symmetric: true }]) {
          expect(stats.observers.get(m)!.get(n)!.range(scheme), `${m} ${n}`).toEqual(own.range(scheme));
        }
      }
    }
  });
});
