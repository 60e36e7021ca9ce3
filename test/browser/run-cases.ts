/**
 * Loads every test/browser/cases/*.case.ts and runs its cases on one device. Used in the page (Chromium's
 * WebGPU) and in Node (Dawn) to replay a case that failed in the browser; browser-safe.
 *
 * A case file that does not load, or a case that throws, becomes a failing result (error Infinity) with the
 * message: one broken kernel never hides the others.
 */
import type { GpuContext } from '../../src/gpu/device.ts';
import { type Case, Rng, caseSeed } from './suite.ts';

export interface CaseResult {
  name: string;
  /** Relative error (float) or mismatch count (integer); Infinity when the case could not run. */
  error: number;
  tolerance: number;
  /** The case's own seed (see caseSeed). */
  seed: number;
  ms: number;
  detail?: string;
  skipped?: string;
}

const files = import.meta.glob<{ cases: Case[] }>('./cases/*.case.ts');

/** All cases whose name matches `filter` (a RegExp source; all when empty), or load failures as results. */
export async function loadCases(filter = ''): Promise<{ cases: Case[]; broken: CaseResult[] }> {
  const re = new RegExp(filter);
  const cases: Case[] = [];
  const broken: CaseResult[] = [];
  for (const [path, load] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    try {
      cases.push(...(await load()).cases.filter((c) => re.test(c.name)));
    } catch (e) {
      broken.push({ name: path, error: Infinity, tolerance: 0, seed: 0, ms: 0, detail: `case file did not load: ${String(e)}` });
    }
  }
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.name)) throw new Error(`kernel suite: two cases are named '${c.name}'`);
    seen.add(c.name);
  }
  return { cases, broken };
}

/** Runs the cases one after the other (SwiftShader has two cores; parallel cases only slow each other). */
export async function runCases(gpu: GpuContext, suiteSeed: number, filter = ''): Promise<CaseResult[]> {
  const { cases, broken } = await loadCases(filter);
  const results = [...broken];
  for (const c of cases) {
    const seed = caseSeed(suiteSeed, c.name);
    const t0 = performance.now();
    try {
      const out = await c.run(gpu, new Rng(seed));
      results.push({ name: c.name, tolerance: c.tolerance, seed, ms: performance.now() - t0, ...out });
    } catch (e) {
      const detail = `threw: ${e instanceof Error ? e.message : String(e)}`;
      results.push({ name: c.name, error: Infinity, tolerance: c.tolerance, seed, ms: performance.now() - t0, detail });
    }
    if (gpu.errors.length) {
      const last = results[results.length - 1];
      last.error = Infinity;
      last.detail = `uncaptured WebGPU errors: ${gpu.errors.splice(0).join(' | ')}`;
    }
  }
  return results;
}
