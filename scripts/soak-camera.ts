/**
 * Soak test of the camera pipeline (not in CI: it runs for a long time on a software GPU). The camera demo runs in
 * headless Chromium on Chromium's fake camera with YOLOX-nano at a 64x64 input; every SAMPLE frames it records the
 * live GPUBuffers of the inference worker's device and the JS heap (page + workers, after a forced GC), and prints a
 * Markdown table. A flat buffer count and a heap that grows under 5% mean nothing leaks per frame.
 *
 *   node --import tsx --import ./scripts/raw-hook.mjs scripts/soak-camera.ts [--frames 10000] [--sample 500]
 *
 * Exits 1 when the buffer count changes after the first sample, the heap grows 5% or more, or the page reports
 * an error.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { withInputSize } from '../src/camera/model.ts';
import { assetPath, missingAssets } from '../src/eval/assets.ts';
import { launchChromium } from '../src/node/chromium.ts';
import { serve } from '../src/node/serve.ts';
import type { Page } from 'puppeteer-core';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const FRAMES = arg('frames', 10_000);
const SAMPLE = arg('sample', 500);
const YOLOX = 'models/yolox_nano_coco_416.onnx';
const OUT = resolve(import.meta.dirname, '../test-output/soak');

interface Sample { frames: number; seconds: number; fps: number; buffers: number; heapMB: number; errors: number }

/** JS heap in use, after a forced GC, of the page and of each of its workers (inference runs in a worker). */
async function heapBytes(page: Page): Promise<number> {
  const sessions = [await page.createCDPSession(), ...page.workers().map((w) => w.client)];
  let total = 0;
  for (const s of sessions) {
    await s.send('HeapProfiler.collectGarbage');
    total += (await s.send('Runtime.getHeapUsage')).usedSize;
  }
  return total;
}

async function main(): Promise<void> {
  const missing = missingAssets(YOLOX);
  if (missing) throw new Error(`soak: ${missing}`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'yolox_nano_64.onnx'), withInputSize(readFileSync(assetPath(YOLOX)), 64));
  const served = await serve();
  const browser = await launchChromium({
    logPrefix: '[soak]',
    extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
  });
  const samples: Sample[] = [];
  try {
    const page = await browser.newPage();
    const model = '/test-output/soak/yolox_nano_64.onnx';
    await page.goto(`${served.url}demos/camera/index.html?model=${encodeURIComponent(model)}&decoder=yolox&conf=0.05`, { waitUntil: 'load' });
    await page.evaluate(() => window.quantgpuCamera.ready);
    const t0 = Date.now();
    for (let n = SAMPLE; n <= FRAMES; n += SAMPLE) {
      // Long work shows progress: the frame count every 30 s while waiting for the next sample.
      for (;;) {
        const done = await page.evaluate(() => window.quantgpuCamera.app().stats.frames);
        if (done >= n) break;
        process.stdout.write(`[soak] ${done} frames after ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
        await new Promise((r) => setTimeout(r, 30_000));
      }
      // Live buffers of the worker's device (the app counts createBuffer/destroy there).
      const s = await page.evaluate(async () => {
        const app = window.quantgpuCamera.app();
        return { frames: app.stats.frames, buffers: await app.liveBuffers(), errors: app.stats.errors.length };
      });
      const heap = await heapBytes(page);
      const seconds = (Date.now() - t0) / 1000;
      samples.push({ frames: s.frames, seconds, fps: s.frames / seconds, buffers: s.buffers, heapMB: heap / 2 ** 20, errors: s.errors });
      const last = samples[samples.length - 1];
      console.log(`[soak] ${last.frames} frames, ${last.seconds.toFixed(0)} s, ${last.buffers} live GPU buffers, heap ${last.heapMB.toFixed(2)} MB`);
    }
  } finally {
    await browser.close();
    await served.close();
  }
  const rows = samples.map((s) => `| ${s.frames} | ${s.seconds.toFixed(0)} | ${s.fps.toFixed(1)} | ${s.buffers} | ${s.heapMB.toFixed(2)} | ${s.errors} |`);
  const first = samples[0], last = samples[samples.length - 1];
  const growth = (last.heapMB / first.heapMB - 1) * 100;
  const table = ['| frames | s | FPS | live GPU buffers | JS heap after GC (MB) | errors |', '|---|---|---|---|---|---|', ...rows].join('\n');
  const verdict = `GPU buffers ${first.buffers} -> ${last.buffers}; heap ${first.heapMB.toFixed(2)} -> ${last.heapMB.toFixed(2)} MB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%) from frame ${first.frames} to ${last.frames}`;
  writeFileSync(join(OUT, 'soak.md'), `${table}\n\n${verdict}\n`);
  console.log(`\n${table}\n\n${verdict}`);
  const flat = samples.every((s) => s.buffers === first.buffers);
  if (!flat || growth >= 5 || last.errors > 0) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
