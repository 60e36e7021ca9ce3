/**
 * Browser kernel suite: runs every case of test/browser/cases/ inside headless Chromium (its own Dawn, SwiftShader
 * by default) against the CPU references, and ResNet-8 end to end against onnxruntime-node. Run alone with
 * `npx vitest run test/browser`. Fails (never skips) when the page has no navigator.gpu or no adapter.
 *
 * SEED=n replays a run; KERNEL_CASE=<regexp> runs only the matching cases. A case that fails in the browser is
 * replayed at once under Node's Dawn with the same seed, so the report says whether the kernel or the browser
 * is at fault.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../../src/node/chromium.ts';
import { serve, type Served } from '../../src/node/serve.ts';
import { modelPath } from '../helpers/assets.ts';
import { testGpu } from '../helpers/gpu.ts';
import { ortRun } from '../helpers/ort.ts';
import { type CaseResult, runCases } from './run-cases.ts';
import type { SuiteResult } from './kernel-suite.ts';
import { RESNET8_DIMS, RESNET8_FILE, RESNET8_INPUT, resnet8Input } from './e2e.ts';
import { floatOutcome } from './suite.ts';

/** The committed file Vite serves as __QUANTGPU_ASSETS_URL__ (/models/, vite.config.ts). */
const RESNET8_PATH = modelPath(RESNET8_FILE);
const SEED = process.env.SEED ? Number(process.env.SEED) : (Math.random() * 2 ** 32) >>> 0;

let server: Served;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await serve();
  browser = await launchChromium({ logPrefix: '[kernel-suite]' });
  page = await browser.newPage();
  await page.goto(`${server.url}test/browser/kernel-suite.html`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.kernelSuiteReady === true, { timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Non-finite numbers come back from the page as null (JSON). */
const errorOf = (r: CaseResult): number => (typeof r.error === 'number' ? r.error : Infinity);
const failed = (r: CaseResult): boolean => !r.skipped && !(errorOf(r) <= r.tolerance);

function report(r: CaseResult): string {
  const score = r.tolerance === 0 ? `${errorOf(r)} mismatches` : `rel err ${errorOf(r).toExponential(2)}`;
  const why = failed(r) && r.detail ? ` (${r.detail})` : '';
  return `${failed(r) ? 'FAIL' : r.skipped ? 'skip' : 'ok  '} ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}: ${r.skipped ?? score}${why}`;
}

describe('kernels in Chromium (browser WebGPU)', () => {
  it('navigator.gpu and an adapter exist', async () => {
    const state = await page.evaluate(async () => {
      if (!navigator.gpu) return { gpu: false, adapter: '' };
      const a = await navigator.gpu.requestAdapter();
      return { gpu: true, adapter: a ? `${a.info.vendor} ${a.info.description}` : '' };
    });
    expect(state.gpu, 'navigator.gpu in the served page').toBe(true);
    expect(state.adapter, 'requestAdapter() result').not.toBe('');
  });

  it('every kernel case matches its CPU reference', async () => {
    const filter = process.env.KERNEL_CASE ?? '';
    const t0 = performance.now();
    const suite: SuiteResult = await page.evaluate((s, f) => window.kernelSuite(s, f), SEED, filter);
    const wall = (performance.now() - t0) / 1000;
    console.log(`[kernel-suite] adapter: ${suite.adapter} (${suite.caps}); SEED=${SEED}; ${suite.results.length} cases in ${wall.toFixed(1)} s\n`
      + suite.results.map(report).join('\n'));
    expect(suite.results.length, 'cases run').toBeGreaterThan(filter ? 0 : 40);

    // Replay the browser failures under Node (Dawn) with the same seed: a case that passes there is a browser finding.
    const failures = suite.results.filter(failed);
    const verdicts: string[] = [];
    if (failures.length) {
      const node = await runCases(await testGpu(), SEED, `^(${failures.map((f) => escape(f.name)).join('|')})$`);
      for (const f of failures) {
        const n = node.find((x) => x.name === f.name);
        const where = n && !failed(n) ? 'PASSES under Node (Dawn): browser-only failure' : `fails under Node too (${n?.detail ?? 'not run'})`;
        verdicts.push(`${f.name} [SEED=${SEED} KERNEL_CASE='^${escape(f.name)}$', case seed ${f.seed}]: ${f.detail ?? ''}; ${where}`);
      }
      console.error(`[kernel-suite] failures:\n${verdicts.join('\n')}`);
    }
    expect(verdicts, `failing cases (replay with SEED=${SEED})`).toEqual([]);
  }, 600_000);

  it('ResNet-8 FP32 in the browser matches onnxruntime-node', async (ctx) => {
    if (!existsSync(RESNET8_PATH)) {
      const why = `ResNet-8 asset absent: ${RESNET8_PATH} (committed under models/)`;
      console.warn(`[kernel-suite] skipped: ${why}`);
      ctx.skip(why);
    }
    const got = await page.evaluate((s) => window.resnet8(s), SEED);
    const feeds = { [RESNET8_INPUT]: { dims: RESNET8_DIMS, data: resnet8Input(SEED) } };
    const want = await ortRun(new Uint8Array(readFileSync(RESNET8_PATH)), feeds);
    expect(Object.keys(got.outputs).sort()).toEqual(Object.keys(want).sort());
    for (const [name, ref] of Object.entries(want)) {
      expect(got.outputs[name].dims, name).toEqual(ref.dims);
      const out = floatOutcome(got.outputs[name].data, ref.data, name);
      console.log(`[kernel-suite] ResNet-8 ${name} in ${got.ms.toFixed(0)} ms: rel err ${out.error.toExponential(2)} (SEED=${SEED})`);
      expect(out.error, `${name}: ${out.detail} (replay with SEED=${SEED})`).toBeLessThanOrEqual(1e-4);
    }
  }, 300_000);
});
