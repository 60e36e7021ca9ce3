/**
 * The browser helper (src/pre/browser.ts: createImageBitmap -> OffscreenCanvas -> applyPreprocess) in headless
 * Chromium gives the same tensor as the Node path (sharp -> applyPreprocess) for the same lossless files and the
 * same recorded spec: what a page computes is what `quantize` calibrated and `eval` scored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { decodeImage, loadSharp } from '../src/eval/image.ts';
import { launchChromium } from '../src/node/chromium.ts';
import { type Served, serve } from '../src/node/serve.ts';
import { applyPreprocess } from '../src/pre/apply.ts';
import { preprocessFromOptions } from '../src/pre/overrides.ts';
import { preset, type PreprocessSpec } from '../src/pre/spec.ts';
import { testRng } from './helpers/rng.ts';

const sharp = await loadSharp();
const noSharp = sharp ? undefined : 'the optional package sharp is not installed';

let server: Served;
let browser: Browser;
let page: Page;

describe.skipIf(noSharp)(`browser preprocessing${noSharp ? ` (skipped: ${noSharp})` : ''}`, () => {
  beforeAll(async () => {
    server = await serve();
    browser = await launchChromium({ logPrefix: '[pre-browser]' });
    page = await browser.newPage();
    await page.goto(`${server.url}package.json`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('PNG and lossless WebP: Chromium and Node give identical tensors for imagenet and yolo specs', async () => {
    const rng = testRng();
    const [w, h] = [rng.int(30, 90), rng.int(30, 90)];
    const raw = Buffer.from(Array.from({ length: w * h * 3 }, () => rng.int(0, 255)));
    const files = {
      png: await sharp!(raw, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer(),
      webp: await sharp!(raw, { raw: { width: w, height: h, channels: 3 } }).webp({ lossless: true }).toBuffer(),
    };
    const specs: PreprocessSpec[] = [preprocessFromOptions({ resize: '32', crop: '24x28' }, preset('imagenet')), preset('yolo', [40, 32])];
    for (const [kind, bytes] of Object.entries(files)) {
      for (const spec of specs) {
        const node = applyPreprocess(await decodeImage(bytes, kind), spec);
        // A string, not a function: vitest would rewrite a function's import() into its own loader.
        const inPage = (await page.evaluate(`(async () => {
          const m = await import('/src/pre/browser.ts');
          const blob = new Blob([Uint8Array.from(atob(${JSON.stringify(bytes.toString('base64'))}), (c) => c.charCodeAt(0))]);
          const r = await m.preprocessImage(blob, ${JSON.stringify(spec)});
          return { dims: r.dims, data: Array.from(r.data) };
        })()`)) as { dims: number[]; data: number[] };
        expect(inPage.dims, `${kind} ${spec.preset}`).toEqual(node.dims);
        expect(Float32Array.from(inPage.data), `${kind} ${spec.preset} ${w}x${h}`).toEqual(node.data);
      }
    }
  }, 120_000);
});
