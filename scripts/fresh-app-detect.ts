/**
 * Last step of scripts/fresh-clone-check.sh: serves a built Vite app (examples/vite-app's files on the installed
 * tarball) with `vite preview`, opens it in headless Chromium and checks what it detected.
 *
 *   node --import tsx scripts/fresh-app-detect.ts <app dir> [reference_detections_yolox_nano_fp32.json]
 *
 * With the reference file (COCO image 139 in the app's public/image.jpg), every reference box of score >= 0.5
 * must be found with the same class and IoU > 0.75 (the browser's JPEG decoder differs a little from libjpeg).
 * Without it, the app must have run the YOLOX session and decoder to the end. Leaves <app>/example.png.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { launchChromium } from '../src/node/chromium.ts';

const [app, refsPath] = process.argv.slice(2);
if (!app) throw new Error('usage: fresh-app-detect.ts <app dir> [reference detections json]');
const IMAGE_ID = 139;

type Drawn = { cls: number; label: string; x1: number; y1: number; x2: number; y2: number };

/** Starts `vite preview` in the app and resolves with its local URL. */
function preview(): Promise<{ url: string; stop: () => void }> {
  const child = spawn('npx', ['vite', 'preview', '--host', 'localhost', '--port', '4173'], { cwd: app, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`vite preview printed no URL in 60 s:\n${out}`)), 60_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /(http:\/\/localhost:\d+\/)/.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], stop: () => process.kill(-child.pid!, 'SIGTERM') });
      }
    });
    child.on('exit', (code) => reject(new Error(`vite preview exited (${code}):\n${out}`)));
  });
}

const server = await preview();
const browser = await launchChromium({ logPrefix: '  [app]' });
let failed = '';
try {
  const page = await browser.newPage();
  await page.goto(server.url, { waitUntil: 'load' });
  const result = await page.evaluate(() => (window as unknown as { example: Promise<{ drawn: Drawn[]; decoder: string; session: string }> }).example);
  await page.screenshot({ path: join(app, 'example.png') });
  console.log(`app: ${result.session}, decoder ${result.decoder}, ${result.drawn.length} boxes: ${result.drawn.map((d) => d.label).join(', ')}`);
  if (result.session !== 'InferenceSession' || result.decoder !== 'yolox') failed = `unexpected session/decoder ${result.session}/${result.decoder}`;
  if (refsPath && !failed) {
    const refs = (JSON.parse(readFileSync(refsPath, 'utf8')) as { image_id: number; category_id: number; bbox: number[]; score: number }[])
      .filter((d) => d.image_id === IMAGE_ID && d.score >= 0.5);
    const categories = (JSON.parse(readFileSync(join(dirname(refsPath), 'instances_val2017_coco128.json'), 'utf8')) as { categories: { id: number; yolo_class: number }[] }).categories;
    const toClass = new Map(categories.map((c) => [c.id, c.yolo_class]));
    for (const r of refs) {
      const [x, y, w, h] = r.bbox;
      const best = Math.max(0, ...result.drawn.filter((d) => d.cls === toClass.get(r.category_id)).map((d) => {
        const iw = Math.min(d.x2, x + w) - Math.max(d.x1, x);
        const ih = Math.min(d.y2, y + h) - Math.max(d.y1, y);
        return iw > 0 && ih > 0 ? (iw * ih) / ((d.x2 - d.x1) * (d.y2 - d.y1) + w * h - iw * ih) : 0;
      }));
      if (!(best > 0.75)) failed += `reference box ${JSON.stringify(r)} not found (best IoU ${best.toFixed(2)}); `;
    }
    if (!failed) console.log(`app: all ${refs.length} reference boxes of score >= 0.5 found (same class, IoU > 0.75)`);
  }
} finally {
  await browser.close();
  server.stop();
}
if (failed) {
  console.error(`fresh-app-detect: FAIL: ${failed}`);
  process.exit(1);
}
