/**
 * Kernel suite run inside Chromium: the same kernels and CPU references as the Node tests, but on the browser's
 * WebGPU (Chromium's Dawn) instead of Node's. Driven by kernels.browser.test.ts through `window.kernelSuite(seed)`.
 *
 * Kernels are discovered with import.meta.glob so that a kernel that does not exist yet is reported as absent
 * instead of breaking the page; a case whose kernel exists must pass.
 */
import { acquireDevice } from '../../src/gpu/device.ts';
import { runKernel } from '../../src/gpu/exec.ts';
import type { KernelSpec } from '../../src/shaders/kernel.ts';

const shaders = import.meta.glob('../../src/shaders/*.ts');
const references = import.meta.glob('../reference/*.ts');

export interface CaseResult {
  name: string;
  /** max |gpu - ref| / max |ref| (float) or count of mismatches (integer). */
  error: number;
  tolerance: number;
  ms: number;
}
export interface SuiteResult {
  adapter: string;
  seed: number;
  results: CaseResult[];
  /** Cases skipped because their kernel or reference module does not exist in this tree. */
  absent: string[];
}

/** mulberry32, as in test/helpers/rng.ts (that file imports vitest, which cannot load in a page). */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    floats: (n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => lo + (hi - lo) * next()),
  };
}
export type Rng = ReturnType<typeof rng>;

export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}

type Mod = Record<string, unknown>;
/** One case: the modules it needs (paths relative to this file) and a body returning the error. */
export interface Case {
  name: string;
  needs: string[];
  tolerance: number;
  run(device: GPUDevice, mods: Mod[], r: Rng): Promise<number>;
}

const ACTS = [
  { kind: 'relu' }, { kind: 'clip', min: 0, max: 6 }, { kind: 'leakyrelu', alpha: 0.1 }, { kind: 'sigmoid' },
  { kind: 'silu' }, { kind: 'hardsigmoid', alpha: 0.2, beta: 0.5 }, { kind: 'hardswish' },
] as const;

const cases: Case[] = ACTS.map((act) => ({
  name: `unary_f32 ${act.kind}`,
  needs: ['../../src/shaders/unary.ts', '../../src/shaders/activation.ts'],
  tolerance: 1e-4,
  async run(device, [unary, activation], r) {
    const unaryKernel = unary.unaryKernel as (p: { act: typeof act }, n: number) => KernelSpec;
    const activateRef = activation.activateRef as (x: number, a: typeof act) => number;
    const n = r.int(1, 3000);
    const x = r.floats(n, -8, 8);
    const out = await runKernel(device, unaryKernel({ act }, n), { input: x }, { output: n * 4 });
    return relError(new Float32Array(out.output), Float32Array.from(x, (v) => activateRef(v, act)));
  },
}));

/** More cases, one file per kernel family: test/browser/cases/<kernel>.case.ts exporting `cases: Case[]`. */
const extraCases = import.meta.glob<{ cases: Case[] }>('./cases/*.case.ts');

async function load(path: string): Promise<Mod | undefined> {
  const loader = shaders[path] ?? references[path];
  return loader ? ((await loader()) as Mod) : undefined;
}

async function kernelSuite(seed: number): Promise<SuiteResult> {
  const { device, adapter } = await acquireDevice({ label: 'kernel-suite' });
  const info = adapter.info;
  const all = [...cases];
  for (const l of Object.values(extraCases)) all.push(...(await l()).cases);
  const results: CaseResult[] = [];
  const absent: string[] = [];
  const r = rng(seed);
  for (const c of all) {
    const mods = await Promise.all(c.needs.map(load));
    if (mods.some((m) => !m)) {
      absent.push(`${c.name} (missing ${c.needs.filter((_, i) => !mods[i]).join(', ')})`);
      continue;
    }
    const t0 = performance.now();
    const error = await c.run(device, mods as Mod[], r);
    results.push({ name: c.name, error, tolerance: c.tolerance, ms: performance.now() - t0 });
  }
  device.destroy();
  return { adapter: `${info.vendor} ${info.architecture} ${info.description}`.trim(), seed, results, absent };
}

declare global {
  interface Window {
    kernelSuite: typeof kernelSuite;
    kernelSuiteReady: boolean;
  }
}
window.kernelSuite = kernelSuite;
window.kernelSuiteReady = true;
document.getElementById('log')!.textContent = `ready; navigator.gpu ${navigator.gpu ? 'present' : 'MISSING'}`;
