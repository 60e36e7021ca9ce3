/**
 * Runs a case file of test/browser/cases/ as vitest tests under Node's Dawn: the Node kernel tests and the
 * Chromium suite share one definition per case (setup, reference, tolerance); the Node side adds the bindings
 * check (expectBindingsMatch) on every spec a case dispatches and a fresh printed seed per test (testRng).
 */
import { expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectBindingsMatch } from '../helpers/reflect.ts';
import { testRng } from '../helpers/rng.ts';
import { type Case, checkSpecsWith } from './suite.ts';

/**
 * One `it` per case: its outcome within its tolerance. A case that cannot run on this device (a missing feature,
 * e.g. shader-f16 on SwiftShader) is reported as skipped by vitest, with the case's reason.
 */
export function itCases(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, async (ctx) => {
      const gpu = await testGpu();
      checkSpecsWith(expectBindingsMatch);
      const out = await c.run(gpu, testRng());
      if (out.skipped) ctx.skip(out.skipped);
      expect(out.error, `${c.name}: ${out.detail ?? ''}`).toBeLessThanOrEqual(c.tolerance);
      expect(gpu.errors.splice(0), 'uncaptured WebGPU errors').toEqual([]);
    });
  }
}
