/**
 * Browser kernel suite: runs the WGSL kernels inside headless Chromium (its own Dawn, SwiftShader by default)
 * and compares them with the CPU references. Run alone with `npx vitest run test/browser`.
 * Fails (never skips) when the page has no navigator.gpu or no adapter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../../src/node/chromium.ts';
import { serve, type Served } from '../../src/node/serve.ts';
import type { SuiteResult } from './kernel-suite.ts';

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

  it('every present kernel matches its CPU reference', async () => {
    const seed = process.env.SEED ? Number(process.env.SEED) : (Math.random() * 2 ** 32) >>> 0;
    const suite: SuiteResult = await page.evaluate((s) => window.kernelSuite(s), seed);
    console.log(`[kernel-suite] adapter: ${suite.adapter}; seed ${seed}; ${suite.results.length} cases run`);
    for (const a of suite.absent) console.log(`[kernel-suite] absent: ${a}`);
    expect(suite.results.length, 'at least the unary kernel ran').toBeGreaterThan(0);
    for (const r of suite.results) {
      expect(r.error, `${r.name} (replay with SEED=${seed})`).toBeLessThanOrEqual(r.tolerance);
    }
  });
});
