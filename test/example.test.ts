/**
 * The example app (examples/vite-app) on the packed library, as a user gets it: build, `npm pack`, unpack into
 * the app's node_modules/quantgpu, type-check the app against the shipped declarations, serve it with Vite and
 * run it in headless Chromium. Its boxes must match the reference detections of the same COCO image.
 *
 * Until package.json carries the packaging fields, the package is packed with PROPOSED_FIELDS (logged).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { assetPath, missingAssets } from '../src/eval/assets.ts';
import { launchChromium } from '../src/node/chromium.ts';

const root = resolve(import.meta.dirname, '..');
const work = join(root, 'test-output/example');
const app = join(work, 'app');
const IMAGE_ID = 139;
const image = `data/coco128-val2017/images/${String(IMAGE_ID).padStart(12, '0')}.jpg`;
const refs = 'data/coco128-val2017/reference_detections_yolox_nano_fp32.json';
const missing = missingAssets('models/yolox_nano_coco_416.onnx', image, refs);

/** The packaging fields this test needs from package.json (see the camera/packaging report). */
export const PROPOSED_FIELDS = {
  exports: {
    '.': { types: './dist/types/index.d.ts', import: './dist/index.js' },
    './camera': { types: './dist/types/camera/index.d.ts', import: './dist/camera.js' },
    './cli': './dist/cli.js',
    './package.json': './package.json',
  },
  types: './dist/types/index.d.ts',
  files: ['dist', 'bin'],
  sideEffects: false,
};

/** Packs the library like `npm publish` would and unpacks it into the app's node_modules. */
function packInto(nodeModules: string): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const stage = join(work, 'stage');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const fields = pkg.exports ? 'package.json' : 'PROPOSED_FIELDS (package.json has no "exports" yet)';
  const manifest = pkg.exports ? pkg : { ...pkg, ...PROPOSED_FIELDS };
  delete manifest.scripts;
  writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const f of manifest.files as string[]) cpSync(join(root, f), join(stage, f), { recursive: true });
  const tgz = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], { cwd: stage, encoding: 'utf8' }).trim().split('\n').pop()!;
  const dest = join(nodeModules, 'quantgpu');
  mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, tgz), '-C', dest, '--strip-components=1']);
  return `${tgz} packed with ${fields}`;
}

let browser: Browser;
let server: import('vite').ViteDevServer;

describe.skipIf(missing)(`example app on the packed package${missing ? ` (skipped: ${missing})` : ''}`, () => {
  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
    rmSync(work, { recursive: true, force: true });
    cpSync(join(root, 'examples/vite-app'), app, { recursive: true });
    mkdirSync(join(app, 'public'), { recursive: true });
    cpSync(assetPath('models/yolox_nano_coco_416.onnx'), join(app, 'public/model.onnx'));
    cpSync(assetPath(image), join(app, 'public/image.jpg'));
    console.log(`[example] ${packInto(join(app, 'node_modules'))}`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the packed package has only what it ships', () => {
    const files = readdirSync(join(app, 'node_modules/quantgpu'));
    expect(files.sort()).toEqual(expect.arrayContaining(['bin', 'dist', 'package.json']));
    expect(files).not.toContain('src');
  });

  it('type-checks against the shipped declarations', () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const out = (() => {
      try {
        return execFileSync(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], { encoding: 'utf8' });
      } catch (e) {
        return String((e as { stdout?: string }).stdout ?? e);
      }
    })();
    expect(out.trim()).toBe('');
  }, 120_000);

  it('bundles for production with a plain Vite config', async () => {
    const vite = await import('vite');
    await vite.build({ root: app, configFile: join(app, 'vite.config.ts'), logLevel: 'warn', build: { outDir: join(work, 'app-dist'), emptyOutDir: true } });
    const js = readdirSync(join(work, 'app-dist/assets')).filter((f) => f.endsWith('.js'));
    const code = js.map((f) => readFileSync(join(work, 'app-dist/assets', f), 'utf8')).join('\n');
    expect(code).toContain('@compute');
  }, 120_000);

  it('detects in Chromium what the reference detects', async () => {
    const vite = await import('vite');
    server = await vite.createServer({ root: app, configFile: join(app, 'vite.config.ts'), logLevel: 'warn', server: { port: 0, host: 'localhost' } });
    await server.listen();
    browser = await launchChromium({ logPrefix: '[example]' });
    const page = await browser.newPage();
    await page.goto(server.resolvedUrls!.local[0], { waitUntil: 'load' });
    // The app's window.example (examples/vite-app/main.ts, type-checked on its own against the packed declarations).
    type Drawn = { cls: number; label: string; x1: number; y1: number; x2: number; y2: number };
    const result = await page.evaluate(() => (window as unknown as { example: Promise<{ drawn: Drawn[]; decoder: string; session: string }> }).example);
    await page.screenshot({ path: join(work, 'example.png') });
    expect(result.session).toBe('InferenceSession');
    expect(result.decoder).toBe('yolox');
    const ref = (JSON.parse(readFileSync(assetPath(refs), 'utf8')) as { image_id: number; category_id: number; bbox: number[]; score: number }[])
      .filter((d) => d.image_id === IMAGE_ID && d.score >= 0.5);
    const categories = (JSON.parse(readFileSync(assetPath('data/coco128-val2017/instances_val2017_coco128.json'), 'utf8')) as { categories: { id: number; yolo_class: number }[] }).categories;
    const toClass = new Map(categories.map((c) => [c.id, c.yolo_class]));
    expect(ref.length).toBeGreaterThan(0);
    // The browser's JPEG decoder differs a little from libjpeg: same class and IoU > 0.75 for each confident box.
    for (const r of ref) {
      const [x, y, w, h] = r.bbox;
      const best = Math.max(0, ...result.drawn.filter((d) => d.cls === toClass.get(r.category_id)).map((d) => {
        const iw = Math.min(d.x2, x + w) - Math.max(d.x1, x);
        const ih = Math.min(d.y2, y + h) - Math.max(d.y1, y);
        return iw > 0 && ih > 0 ? (iw * ih) / ((d.x2 - d.x1) * (d.y2 - d.y1) + w * h - iw * ih) : 0;
      }));
      expect(best, `reference ${JSON.stringify(r)}`).toBeGreaterThan(0.75);
    }
    console.log(`[example] ${result.drawn.length} boxes: ${result.drawn.map((d) => d.label).join(', ')}`);
  }, 240_000);
});
