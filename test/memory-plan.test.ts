import { describe, expect, it } from 'vitest';
import { type Lifetime, isValidPlan, planBuffers } from '../src/runtime/plan/memory.ts';
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
