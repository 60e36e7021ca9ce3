/**
 * Seeded random numbers for tests: a fresh seed each run (or SEED=n to replay), printed when a test fails.
 */
import { onTestFailed } from 'vitest';
import { Rng } from './random.ts';

export { Rng, relError } from './random.ts';

/** A fresh Rng for this test; its seed is printed if the test fails. */
export function testRng(): Rng {
  const seed = process.env.SEED ? Number(process.env.SEED) : (Math.random() * 2 ** 32) >>> 0;
  onTestFailed(() => console.error(`random seed: ${seed} (replay with SEED=${seed})`));
  return new Rng(seed);
}
