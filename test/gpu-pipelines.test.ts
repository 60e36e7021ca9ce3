/**
 * PipelineCache under concurrency (issue 12): a plan compiles all of its pipelines at once, so a failing kernel
 * must be blamed alone. Error scopes are a per-device stack; a scope held across an await used to catch the
 * error of a kernel compiling at the same time and reject the wrong pipeline.
 */
import { describe, expect, it } from 'vitest';
import { PipelineCache } from '../src/gpu/pipelines.ts';
import { unaryKernel } from '../src/shaders/unary.ts';
import type { KernelSpec } from '../src/shaders/kernel.ts';
import { testGpu } from './helpers/gpu.ts';
import { testRng } from './helpers/rng.ts';

/** A valid kernel under a fresh key (the cache and Dawn would otherwise reuse an earlier compile). */
function good(n: number): KernelSpec {
  const spec = unaryKernel({ act: { kind: 'relu' } }, n);
  return { ...spec, key: `${spec.key}|good${n}` };
}

function broken(spec: KernelSpec, n: number): KernelSpec {
  return { ...spec, key: `broken${n}`, code: spec.code.replace(/fn main/, `fn main() { let x: u32 = -${n}; }\nfn unused`) };
}

describe('PipelineCache', () => {
  it('blames only the kernel that fails when pipelines compile concurrently', async () => {
    const { device } = await testGpu();
    const cache = new PipelineCache(device);
    const n = testRng().int(1000, 100000);
    // Broken first, good right after: the interleaving that made the good one reject.
    const bad = cache.get(broken(good(n), n));
    const oks = [1, 2, 3].map((k) => cache.get(good(n + k)));
    await expect(bad).rejects.toThrow(new RegExp(`broken${n}[^]*cannot be represented`));
    for (const p of oks) await expect(p).resolves.toBeDefined();
  });

  it('names the kernel whose entry point is missing', async () => {
    const { device } = await testGpu();
    const cache = new PipelineCache(device);
    const spec = good(testRng().int(1000, 100000));
    const missing = { ...spec, key: `${spec.key}|noentry`, entryPoint: 'nowhere' };
    const ok = cache.get({ ...spec, key: `${spec.key}|ok2` });
    await expect(cache.get(missing)).rejects.toThrow(/pipeline .*noentry failed/);
    await expect(ok).resolves.toBeDefined();
  });
});
