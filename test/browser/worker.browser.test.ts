/**
 * The library in a Web Worker in headless Chromium: a fixture CNN built here (seeded, printed) runs inside a
 * dedicated worker at fp32 and w8 (weight-only int8); fp32 matches onnxruntime-node, w8 stays close to it and its
 * plan really has int8-weight steps. Fails (never skips) when the worker has no WebGPU.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../../src/node/chromium.ts';
import { serve, type Served } from '../../src/node/serve.ts';
import { GraphBuilder } from '../fixtures/graph-builder.ts';
import { ortRun } from '../helpers/ort.ts';
import { relError } from '../helpers/random.ts';
import { Rng } from '../helpers/rng.ts';

const SEED = process.env.SEED ? Number(process.env.SEED) : (Math.random() * 2 ** 31) >>> 0;
let server: Served;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  console.log(`[worker] seed ${SEED}`);
  server = await serve();
  browser = await launchChromium({ logPrefix: '[worker]' });
  page = await browser.newPage();
  await page.goto(`${server.url}test/browser/worker.html`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.workerPageReady === true, { timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('InferenceSession inside a Web Worker (Chromium)', () => {
  it('runs a CNN at fp32 (equal to onnxruntime-node) and w8 (int8 weights, close to it)', async () => {
    const g = new GraphBuilder('worker', { seed: SEED });
    let v = g.input('image', [1, 3, 16, 16]);
    v = g.relu(g.conv(v, { cout: 12, k: 3, stride: 2 }));
    v = g.relu(g.conv(v, { cout: 20, k: 3 }));
    v = g.conv(v, { cout: 6, k: 1 });
    g.output(v, 'scores');
    const model = g.save();
    const rng = new Rng(SEED);
    const data = rng.floats(3 * 16 * 16, -1, 1);
    const ref = (await ortRun(model, { image: { dims: [1, 3, 16, 16], data } })).scores;
    const b64 = Buffer.from(model).toString('base64');
    const run = (precision: 'fp32' | 'int8') => page.evaluate((m, d, p) => window.runInWorker(m, 'image', [1, 3, 16, 16], d, p), b64, Array.from(data), precision);
    const fp32 = await run('fp32');
    if (!fp32.ok) throw new Error(`fp32 in the worker failed: ${fp32.message}`);
    expect(fp32.inWorker).toBe(true);
    expect(fp32.outputs.scores.dims).toEqual(ref.dims);
    const e32 = relError(fp32.outputs.scores.data, ref.data);
    const w8 = await run('int8');
    if (!w8.ok) throw new Error(`w8 in the worker failed: ${w8.message}`);
    const e8 = relError(w8.outputs.scores.data, ref.data);
    console.log(`[worker] fp32 rel err ${e32.toExponential(2)} (${fp32.precisions.join(', ')}); w8 rel err ${e8.toExponential(2)} (${w8.precisions.join(', ')})`);
    expect(e32).toBeLessThan(1e-4);
    expect(w8.precisions.some((p) => p.startsWith('w8'))).toBe(true);
    expect(e8).toBeGreaterThan(0); // int8 weights change the result...
    expect(e8).toBeLessThan(0.05); // ...by a little
  }, 180_000);
});
