/**
 * What the kernel cases share, browser-safe (no vitest, no Node): the seeded random numbers, the two ways of
 * scoring an output against its CPU reference, and the `Case` contract of test/browser/cases/*.case.ts.
 *
 * The same case files run inside Chromium (kernel-suite.ts) and, to tell a browser-only failure from a broken
 * kernel, under Node's Dawn (kernels.browser.test.ts): nothing here may touch `window` or `node:*`.
 */
import type { GpuContext } from '../../src/gpu/device.ts';
import { type HostData, runKernel } from '../../src/gpu/exec.ts';
import type { KernelSpec } from '../../src/shaders/kernel.ts';
import { Rng } from '../helpers/random.ts';

export { Rng };

/**
 * The seed of one case: the suite seed mixed with a hash of the case name (FNV-1a), so that a case draws the
 * same data whether it runs alone (KERNEL_CASE) or in the full suite.
 */
export function caseSeed(suiteSeed: number, name: string): number {
  let h = 0x811c9dc5 ^ suiteSeed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Score of one case: relative error (float) or number of mismatching values (integer). */
export interface Outcome {
  error: number;
  /** Where it went wrong (first mismatch, shapes), printed when the case fails. */
  detail?: string;
  /** Why the case could not run on this device (e.g. a missing feature); reported, never counted as a pass. */
  skipped?: string;
}

/** max |got - want| / max |want| (the absolute max when the reference is all zero). */
export function floatOutcome(got: ArrayLike<number>, want: ArrayLike<number>, what = ''): Outcome {
  if (got.length !== want.length) return { error: Infinity, detail: `${what} length ${got.length}, want ${want.length}` };
  let num = 0;
  let den = 0;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= num)) [num, worst] = [d, i]; // NaN is never <= anything: it becomes the worst
    den = Math.max(den, Math.abs(want[i]));
  }
  const error = den === 0 ? num : num / den;
  return { error: Number.isNaN(error) ? Infinity : error, detail: `${what} worst at ${worst}: got ${got[worst]} want ${want[worst]}` };
}

/**
 * Exact comparison of integer (or copied) values. A reference with fewer than min(8, n/4) distinct values
 * could hide errors (everything clipped), so it fails too, as in the Node tests.
 */
export function exactOutcome(got: ArrayLike<number>, want: ArrayLike<number>, what = '', degenerateOk = false): Outcome {
  if (got.length !== want.length) return { error: Infinity, detail: `${what} length ${got.length}, want ${want.length}` };
  let count = 0;
  let first = -1;
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i] || Object.is(got[i], want[i])) continue;
    count++;
    if (first < 0) first = i;
  }
  if (count) return { error: count, detail: `${what} ${count}/${want.length} mismatches, first at ${first}: got ${got[first]} want ${want[first]}` };
  const distinct = new Set(Array.from(want)).size;
  if (!degenerateOk && distinct <= Math.min(8, want.length / 4)) {
    return { error: Infinity, detail: `${what} reference is degenerate (${distinct} distinct values): the case could not see errors` };
  }
  return { error: 0 };
}

/** The worst of several outcomes (a case that checks more than one output). */
export function worst(...outs: Outcome[]): Outcome {
  return outs.reduce((a, b) => (b.error > a.error ? b : a), { error: 0 });
}

export const FLOAT_TOL = 1e-4;
export const EXACT = 0;

/** One case of test/browser/cases/<kernel>.case.ts. Names are unique across the suite. */
export interface Case {
  name: string;
  /** FLOAT_TOL for float paths (relative error), EXACT for integer paths (mismatch count). */
  tolerance: number;
  run(gpu: GpuContext, r: Rng): Promise<Outcome>;
}

let specCheck: ((spec: KernelSpec) => void) | undefined;

/**
 * Registers a check every case runs on each kernel spec before dispatching it: the Node harness (node-cases.ts)
 * compares the spec's bindings with its WGSL (wgsl_reflect); the page registers none.
 */
export function checkSpecsWith(check: ((spec: KernelSpec) => void) | undefined): void {
  specCheck = check;
}

/** Runs the registered spec check (if any) on a spec a case dispatches by other means than runSpec. */
export function checkSpec(spec: KernelSpec): void {
  specCheck?.(spec);
}

/** runKernel for the cases: the registered spec check, then one dispatch (src/gpu/exec.ts). */
export function runSpec(
  device: GPUDevice, spec: KernelSpec, inputs: Record<string, HostData>, outputs: Record<string, number>,
): Promise<Record<string, ArrayBuffer>> {
  specCheck?.(spec);
  return runKernel(device, spec, inputs, outputs);
}
