/**
 * Screenshots of the index page and the benchmark page (after a short quantgpu + onnxruntime-web run on ResNet-8),
 * for reviewing the pages without a display: test-output/pages/*.png. The camera page's screenshots come from
 * test/camera-browser.test.ts (it needs the fake camera). Not part of the test suite.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchChromium } from '../src/node/chromium.ts';
import { serve } from '../src/node/serve.ts';

const out = resolve(import.meta.dirname, '../test-output/pages');
mkdirSync(out, { recursive: true });
const served = await serve();
const browser = await launchChromium({ logPrefix: '[page]' });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 800 });
  await page.goto(served.url, { waitUntil: 'load' });
  await page.screenshot({ path: `${out}/index.png` });
  console.log(`index links: ${await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href')).join(', '))}`);
  await page.goto(`${served.url}demos/bench/`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.quantgpuBench?.ready, { timeout: 120_000 });
  await page.evaluate(() => window.quantgpuBench.run({
    models: ['resnet8'], runtimes: ['quantgpu', 'ort-webgpu', 'tfjs-webgpu'], precisions: ['fp32', 'int8'], warmup: 1, frames: 3, seed: 1,
  }));
  await page.screenshot({ path: `${out}/bench.png`, fullPage: true });
  console.log(`bench headline: ${await page.$eval('#stats', (e) => e.textContent)}`);
} finally {
  await browser.close();
  await served.close();
}
