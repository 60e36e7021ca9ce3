/**
 * End-to-end: the benchmark page in headless Chromium runs ResNet-8 (committed under models/) under every browser
 * runtime with a few frames; the table must have one sane row per runtime, and quantgpu FP32 must agree with
 * onnxruntime-web. Leaves a screenshot in test-output/bench-e2e.png. Run alone: `npx vitest run test/bench.e2e.test.ts`.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../src/node/chromium.ts';
import { serve, type Served } from '../src/node/serve.ts';
import type { BenchReport, BenchRow, RuntimeId } from '../src/bench/types.ts';
import { relError } from './helpers/rng.ts';
import { missingAssets } from '../src/eval/assets.ts';

/** The page loads ResNet-8 from /models/ (vite.config.ts): skip, in one line, if the committed file is gone. */
const missing = missingAssets('models/resnet8_cifar10_mlperf_tiny.onnx');
const RUNTIMES: RuntimeId[] = ['quantgpu', 'ort-webgpu', 'ort-wasm', 'tfjs-webgpu'];

let server: Served;
let browser: Browser;
let page: Page;
let report: BenchReport;

beforeAll(async () => {
  if (missing) return;
  server = await serve();
  browser = await launchChromium({ logPrefix: '[bench-page]' });
  page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 1400 });
  await page.goto(`${server.url}demos/bench/index.html`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.quantgpuBench?.ready === true, { timeout: 60_000 });
  const seed = (Math.random() * 2 ** 32) >>> 0;
  report = await page.evaluate(
    (cfg) => window.quantgpuBench.run(cfg),
    { models: ['resnet8'], runtimes: RUNTIMES, precisions: ['fp32' as const], warmup: 1, frames: 3, seed },
  );
  mkdirSync('test-output', { recursive: true });
  await page.screenshot({ path: 'test-output/bench-e2e.png', fullPage: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const row = (runtime: RuntimeId): BenchRow => {
  const r = report.rows.find((x) => x.runtime === runtime);
  if (!r) throw new Error(`no row for ${runtime}`);
  return r;
};

describe.skipIf(missing)(`benchmark page (ResNet-8, headless Chromium)${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('has one row per runtime, in the page table too', async () => {
    expect(report.rows.map((r) => r.runtime)).toEqual(RUNTIMES);
    const tableRows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-runtime')));
    expect(tableRows).toEqual(RUNTIMES);
  });

  for (const runtime of RUNTIMES) {
    it(`${runtime}: ran with sane timings`, () => {
      const r = row(runtime);
      expect(r.status, r.message).toBe('ok');
      expect(r.times).toHaveLength(3);
      expect(r.fps).toBeGreaterThan(0);
      expect(r.p95Ms).toBeGreaterThanOrEqual(r.medianMs!);
      expect(r.output?.dims).toEqual([1, 10]);
    });
  }

  it('onnxruntime-web WebGPU, wasm and TF.js agree on the logits', () => {
    const ref = row('ort-wasm').output!.values;
    expect(relError(row('ort-webgpu').output!.values, ref)).toBeLessThanOrEqual(1e-3);
    expect(relError(row('tfjs-webgpu').output!.values, ref)).toBeLessThanOrEqual(1e-3);
  });

  it('quantgpu FP32 matches onnxruntime-web within 1e-3 relative', () => {
    const q = row('quantgpu');
    expect(q.status, `quantgpu row: ${q.message}`).toBe('ok');
    expect(relError(q.output!.values, row('ort-wasm').output!.values)).toBeLessThanOrEqual(1e-3);
  });
});
