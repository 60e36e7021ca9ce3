/**
 * The camera demo in headless Chromium with a fake camera: a video made here from coco128 images (ffmpeg)
 * is fed through --use-file-for-fake-video-capture. Checks that
 *  - the boxes the demo draws on a frame match the offline pipeline (preprocessNCHW -> onnxruntime-node ->
 *    postprocess) on the exact pixels of that frame: same classes, IoU >= 0.9 (plain and mirrored);
 *  - the frame shown with the boxes is the frame they were computed on (the canvas pixels identify the same image);
 *  - inference runs in a Web Worker: the page itself creates no GPU buffer;
 *  - the precision switches live (a refused switch leaves the demo running), and a bad model URL is refused with
 *    its list entry removed while the previous model keeps detecting;
 *  - 300 frames run with no error and no growth of live GPUBuffers (counted in the worker's device).
 * Screenshots go to test-output/camera/. Skips when ffmpeg, the assets or onnxruntime-node are missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import type { Snapshot } from '../demos/camera/app.ts';
import { frameToDisplay } from '../src/camera/overlay.ts';
import { withInputSize } from '../src/camera/model.ts';
import { assetPath, missingAssets } from '../src/eval/assets.ts';
import { launchChromium } from '../src/node/chromium.ts';
import { type Served, serve } from '../src/node/serve.ts';
import { letterbox, transformBoxes } from '../src/pre/letterbox.ts';
import { type RgbaImage, YOLOX_PIXELS, preprocessNCHW } from '../src/pre/preprocess.ts';
import { detectDecoder, postprocess } from '../src/post/detect.ts';
import { boxIou } from '../src/post/detections.ts';

const OUT = resolve(import.meta.dirname, '../test-output/camera');
const IMAGES = [139, 785, 1000];
const [W, H] = [640, 480];
const CONF = 0.3;
const [HOLD_S, FPS] = [6, 4];
const YOLOX = 'models/yolox_nano_coco_416.onnx';
const hasFfmpeg = (() => {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const missing = missingAssets(YOLOX, ...IMAGES.map((id) => `data/coco128-val2017/images/${String(id).padStart(12, '0')}.jpg`))
  ?? (hasFfmpeg ? undefined : 'ffmpeg is not installed');

/** The scale+pad filter that puts any image into the W x H video frame. */
const FIT = `scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2,setsar=1`;
const jpg = (id: number) => assetPath(`data/coco128-val2017/images/${String(id).padStart(12, '0')}.jpg`);

/**
 * Each image held HOLD_S seconds at FPS, looped by Chromium (held longer than one 416 inference on SwiftShader, so
 * that a screenshot can show the frame the boxes belong to); plus each fitted frame as clean RGBA (no 4:2:0 loss).
 */
function makeVideo(): { video: string; clean: Map<number, Uint8Array> } {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const video = join(OUT, 'coco.y4m');
  const inputs = IMAGES.flatMap((id) => ['-loop', '1', '-t', String(HOLD_S), '-framerate', String(FPS), '-i', jpg(id)]);
  const chains = IMAGES.map((_, i) => `[${i}]${FIT}[v${i}]`).join(';');
  const concat = `${IMAGES.map((_, i) => `[v${i}]`).join('')}concat=n=${IMAGES.length}:v=1,format=yuv420p[out]`;
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', ...inputs, '-filter_complex', `${chains};${concat}`, '-map', '[out]', '-r', String(FPS), video]);
  const clean = new Map(IMAGES.map((id) => [id, new Uint8Array(execFileSync('ffmpeg', [
    '-loglevel', 'error', '-i', jpg(id), '-vf', FIT, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-',
  ], { maxBuffer: 64 << 20 }))]));
  return { video, clean };
}

/** Counts live GPUBuffers in the page: created and not yet destroyed. */
function countBuffers(): void {
  const live = new Map<GPUBuffer, string>();
  const create = GPUDevice.prototype.createBuffer;
  GPUDevice.prototype.createBuffer = function (this: GPUDevice, desc: GPUBufferDescriptor) {
    const b = create.call(this, desc);
    live.set(b, desc.label ?? '');
    return b;
  };
  const destroy = GPUBuffer.prototype.destroy;
  GPUBuffer.prototype.destroy = function (this: GPUBuffer) {
    live.delete(this);
    return destroy.call(this);
  };
  (window as unknown as { liveGpuBuffers: () => number }).liveGpuBuffers = () => live.size;
}

let served: Served;
let browser: Browser;
let page: Page;
let clean: Map<number, Uint8Array>;
let ort: typeof import('onnxruntime-node') | undefined;
let yolox: import('onnxruntime-node').InferenceSession;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];

type Box = { box: Float32Array; cls: number; score: number };

/** The offline pipeline on the same pixels: CPU letterbox, onnxruntime-node, decode + NMS, display transform. */
async function offline(img: RgbaImage, mirror: boolean, conf: number): Promise<Box[]> {
  const lb = letterbox(img.width, img.height, 416, 416, { align: 'top-left', mirror });
  const input = preprocessNCHW(img, lb, YOLOX_PIXELS);
  const res = await yolox.run({ images: new ort!.Tensor('float32', input, [1, 3, 416, 416]) });
  const out = res[yolox.outputNames[0]];
  const dims = out.dims as number[];
  const det = postprocess(detectDecoder([dims]), out.data as Float32Array, dims, lb, { confThreshold: conf, iouThreshold: 0.45, maxDetections: 100 });
  const boxes = transformBoxes(det.boxes, frameToDisplay(img.width, mirror));
  return Array.from(det.scores, (score, i) => ({ box: boxes.subarray(i * 4, i * 4 + 4), cls: det.classes[i], score }));
}

const iou = (a: ArrayLike<number>, b: ArrayLike<number>) => boxIou([...Array.from(a), ...Array.from(b)], 0, 1);

/** Every drawn box has an offline twin (same class, IoU >= minIou) and every clearly confident offline box was drawn. */
function expectSameBoxes(drawn: Box[], ref: Box[], minIou: number, what: string): number {
  let worst = 1;
  const twin = (b: Box, pool: Box[]) => Math.max(0, ...pool.filter((r) => r.cls === b.cls).map((r) => iou(r.box, b.box)));
  for (const d of drawn) {
    const best = twin(d, ref);
    worst = Math.min(worst, best);
    expect(best, `${what}: drawn class ${d.cls} ${d.score.toFixed(3)} [${Array.from(d.box, (v) => v.toFixed(1))}]`).toBeGreaterThanOrEqual(minIou);
  }
  // Offline boxes near the threshold may fall either side of it on the GPU: only those clearly above must be drawn.
  for (const r of ref.filter((b) => b.score >= CONF + 0.02)) {
    expect(twin(r, drawn), `${what}: offline class ${r.cls} ${r.score.toFixed(3)} not drawn`).toBeGreaterThanOrEqual(minIou);
  }
  return worst;
}

/**
 * Which video image an RGBA picture of `w` x `h` shows (nearest-sampled from the W x H frame): mean absolute
 * difference to each clean frame. 4:2:0 chroma and scaling cost a few levels; another image costs tens.
 */
function identify(data: Uint8Array, w: number, h: number): { source: number; diff: number; margin: number } {
  const diffs = IMAGES.map((id) => {
    const ref = clean.get(id)!;
    let sum = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const [i, j] = [(y * w + x) * 4, (Math.floor(((y + 0.5) * H) / h) * W + Math.floor(((x + 0.5) * W) / w)) * 4];
        sum += Math.abs(ref[j] - data[i]) + Math.abs(ref[j + 1] - data[i + 1]) + Math.abs(ref[j + 2] - data[i + 2]);
      }
    }
    return sum / (w * h * 3);
  });
  const sorted = [...diffs].sort((a, b) => a - b);
  return { source: IMAGES[diffs.indexOf(sorted[0])], diff: sorted[0], margin: sorted[1] / sorted[0] };
}

function decodeSnapshot(s: Snapshot): { img: RgbaImage; drawn: Box[]; source: number; diff: number; margin: number } {
  const img = { width: s.width, height: s.height, data: new Uint8Array(Buffer.from(s.rgbaBase64, 'base64')) };
  const drawn = s.drawn.map((d) => ({ box: Float32Array.of(d.x1, d.y1, d.x2, d.y2), cls: d.cls, score: d.score }));
  return { img, drawn, ...identify(img.data, img.width, img.height) };
}

/** Which image the frame canvas showed with the boxes (display space: flipped back when mirrored). */
function shownImage(snap: Snapshot): { source: number; margin: number } {
  const d = new Uint8Array(Buffer.from(snap.shownBase64, 'base64'));
  if (snap.mirror) {
    const row = new Uint8Array(snap.width * 4);
    for (let y = 0; y < snap.height; y++) {
      const line = d.subarray(y * snap.width * 4, (y + 1) * snap.width * 4);
      for (let x = 0; x < snap.width; x++) row.set(line.subarray((snap.width - 1 - x) * 4, (snap.width - x) * 4), x * 4);
      line.set(row);
    }
  }
  const shown = identify(d, snap.width, snap.height);
  return { source: shown.source, margin: shown.margin };
}

async function frames(): Promise<number> {
  return page.evaluate(() => window.quantgpuCamera.app().stats.frames);
}

describe.skipIf(missing)(`camera demo in Chromium with a fake camera${missing ? ` (skipped: ${missing})` : ''}`, () => {
  beforeAll(async () => {
    try {
      ort = await import('onnxruntime-node');
    } catch {
      ort = undefined;
    }
    const made = makeVideo();
    clean = made.clean;
    if (ort) yolox = await ort.InferenceSession.create(assetPath(YOLOX));
    writeFileSync(join(OUT, 'yolox_nano_64.onnx'), withInputSize(readFileSync(assetPath(YOLOX)), 64));
    served = await serve();
    browser = await launchChromium({
      logPrefix: '[camera]',
      extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${made.video}`,
        '--autoplay-policy=no-user-gesture-required'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 900 });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    await page.evaluateOnNewDocument(countBuffers);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('draws the offline pipeline\'s boxes on the frames it processed (YOLOX-nano 416, fp32, plain and mirrored)', async (ctx) => {
    if (!ort) return ctx.skip('onnxruntime-node is not usable here');
    await page.goto(`${served.url}demos/camera/index.html?conf=${CONF}`, { waitUntil: 'load' });
    await page.evaluate(() => window.quantgpuCamera.ready);
    const seen = new Set<number>();
    let shots = 0;
    // Plain frames until two different images were checked (at least two frames), then one mirrored frame.
    for (let k = 0; (k < 2 || seen.size < 2) && k < 200; k++) await check(false);
    await check(true);
    async function check(mirror: boolean): Promise<void> {
      await page.evaluate((m) => window.quantgpuCamera.setMirror(m), mirror);
      // The first snapshot after a toggle may be a frame already in flight: take the one after it.
      let snap = await page.evaluate(() => window.quantgpuCamera.snapshot());
      if (snap.mirror !== mirror) snap = await page.evaluate(() => window.quantgpuCamera.snapshot());
      expect(snap.mirror).toBe(mirror);
      expect(snap.decoder).toBe('yolox');
      const shot = join(OUT, `demo-416-frame${snap.frameIndex}${mirror ? '-mirrored' : ''}.png`);
      if (shots++ < 3) await page.screenshot({ path: shot });
      const { img, drawn, source, diff, margin } = decodeSnapshot(snap);
      // The boxes are drawn over the frame they came from, not over a later video frame.
      const shown = shownImage(snap);
      expect(shown.margin, `frame ${snap.frameIndex}: the shown frame is not clearly one image`).toBeGreaterThan(3);
      expect(shown.source, `frame ${snap.frameIndex}: boxes of image ${source} drawn over image ${shown.source}`).toBe(source);
      expect([img.width, img.height]).toEqual([W, H]);
      expect(diff, `frame ${snap.frameIndex} is not one of the video's images`).toBeLessThan(12);
      expect(margin, `frame ${snap.frameIndex} is not clearly one of the video's images`).toBeGreaterThan(3);
      seen.add(source);
      const ref = await offline(img, mirror, CONF - 0.05);
      const worst = expectSameBoxes(drawn, ref, 0.9, `frame ${snap.frameIndex} (image ${source}${mirror ? ', mirrored' : ''})`);
      console.log(`[camera] frame ${snap.frameIndex}: image ${source} (mean diff ${diff.toFixed(2)}), ${drawn.length} boxes drawn, worst IoU ${worst.toFixed(4)}${mirror ? ', mirrored' : ''}; shown with image ${shown.source}`);
      expect(drawn.length).toBeGreaterThan(0);
    }
    console.log(`[camera] images seen: ${[...seen].join(', ')}; ${shots} frames checked`);
    expect(seen.size, 'the fake camera played more than one image').toBeGreaterThan(1);
    // Inference ran in the worker: the page never made a GPU buffer (countBuffers wraps the page's GPUDevice).
    expect(await page.evaluate(() => (window as unknown as { liveGpuBuffers: () => number }).liveGpuBuffers())).toBe(0);
    expect(page.workers().some((w) => w.url().includes('worker'))).toBe(true);
  }, 300_000);

  it('switches precision live; a refused precision leaves the previous one running', async () => {
    const before = await frames();
    const mixed = await page.evaluate(() => window.quantgpuCamera.setPrecision('mixed').then(String, (e: Error) => `refused: ${e.message}`));
    expect(mixed).toBe('mixed');
    const int8 = await page.evaluate(() => window.quantgpuCamera.setPrecision('int8').then(String, (e: Error) => `refused: ${e.message}`));
    const status = await page.evaluate(() => window.quantgpuCamera.status());
    console.log(`[camera] int8 on the float model: ${int8}; status: ${status}`);
    if (int8 !== 'int8') expect(status).toContain('could not load');
    else {
      // Accepted: the running session really has int8 steps.
      await page.evaluate(() => window.quantgpuCamera.snapshot());
      const kinds = await page.evaluate(() => window.quantgpuCamera.app().info!.stepPrecisions);
      console.log(`[camera] int8 session step precisions: ${kinds.join(', ')}`);
      expect(kinds.some((k) => k.includes('int8') || k.startsWith('w8'))).toBe(true);
    }
    const shown = await page.evaluate(() => document.querySelector<HTMLInputElement>('input[name=precision]:checked')?.value);
    expect(shown).toBe(int8 === 'int8' ? 'int8' : 'mixed');
    // Still detecting after the switch (or the refusal).
    await page.evaluate(() => window.quantgpuCamera.snapshot());
    expect(await frames()).toBeGreaterThan(before);
    expect(await page.evaluate(() => window.quantgpuCamera.setPrecision('fp32'))).toBe('fp32');
  }, 300_000);

  it('a bad model choice is refused: error shown, its entry removed, the previous model keeps running', async () => {
    const before = await page.evaluate(() => ({ frames: window.quantgpuCamera.app().stats.frames, options: document.querySelectorAll('#model option').length, model: (document.querySelector('#model') as HTMLSelectElement).value }));
    for (const url of ['/package.json', '/no-such-model.onnx']) {
      const r = await page.evaluate((u) => window.quantgpuCamera.loadUrl(u).then(String, (e: Error) => `refused: ${e.message}`), url);
      const status = await page.evaluate(() => window.quantgpuCamera.status());
      console.log(`[camera] ${url}: ${r}; status: ${status}`);
      expect(r).toMatch(/^refused: /);
      expect(status).toContain(`could not load ${url}`);
      expect(status).toContain('still running the previous model');
      const after = await page.evaluate(() => ({ options: document.querySelectorAll('#model option').length, model: (document.querySelector('#model') as HTMLSelectElement).value }));
      expect(after).toEqual({ options: before.options, model: before.model });
    }
    // A picked file that is not a model: refused, its entry removed, the file input cleared.
    const input = await page.$('#file');
    await (input as import('puppeteer-core').ElementHandle<HTMLInputElement>).uploadFile(resolve(import.meta.dirname, '../package.json'));
    await page.waitForFunction(() => window.quantgpuCamera.status().startsWith('could not load package.json'), { timeout: 120_000, polling: 200 });
    const afterFile = await page.evaluate(() => ({ options: document.querySelectorAll('#model option').length, model: (document.querySelector('#model') as HTMLSelectElement).value, file: (document.querySelector('#file') as HTMLInputElement).value }));
    expect(afterFile).toEqual({ options: before.options, model: before.model, file: '' });
    await page.evaluate(() => window.quantgpuCamera.snapshot());
    expect(await frames()).toBeGreaterThan(before.frames);
  }, 300_000);

  it('runs 300 frames (YOLOX-nano at 64x64) with no errors and no growth of GPU buffers', async () => {
    const model = `/${join('test-output/camera', 'yolox_nano_64.onnx')}`;
    consoleErrors.length = 0;
    await page.goto(`${served.url}demos/camera/index.html?model=${encodeURIComponent(model)}&decoder=yolox&conf=0.05`, { waitUntil: 'load' });
    await page.evaluate(() => window.quantgpuCamera.ready);
    const at = async (n: number) => {
      await page.waitForFunction((k) => window.quantgpuCamera.app().stats.frames >= k, { timeout: 240_000, polling: 200 }, n);
      return page.evaluate(async () => ({ live: await window.quantgpuCamera.app().liveBuffers(), stats: window.quantgpuCamera.app().stats }));
    };
    const warm = await at(20);
    const end = await at(320);
    await page.screenshot({ path: join(OUT, 'demo-64-soak.png') });
    console.log(`[camera] 64x64: ${end.stats.fps.toFixed(1)} FPS, live GPU buffers ${warm.live} after warm-up, ${end.live} after 300 more frames; times ${JSON.stringify(end.stats.times)}`);
    expect(end.stats.errors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(warm.live, 'the worker\'s device holds the session\'s buffers').toBeGreaterThan(0);
    expect(end.live).toBe(warm.live);
    expect(existsSync(join(OUT, 'demo-64-soak.png'))).toBe(true);
  }, 300_000);
});
