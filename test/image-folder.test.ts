/**
 * Image datasets on disk: folders (recursive), ImageFolder class order, list files, `.npy` batches, streamed
 * batches; and the CIFAR `.bin` path against the same images written as lossless PNG / WebP files.
 * Images are encoded with sharp (the optional decoder); without it these tests skip, saying so.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assetPath, missingAssets } from '../src/eval/assets.ts';
import { CIFAR_CLASSES } from '../src/eval/cifar.ts';
import { loadSharp } from '../src/eval/image.ts';
import { writeNpy } from '../src/io/npy.ts';
import { load } from '../src/runtime/onnx/load.ts';
import { calibrationFrom, datasetLabels, datasetSize, modelProfile, openDataset } from '../src/ptq/datasets.ts';
import { evaluate, ortRunner } from '../src/ptq/evaluate.ts';
import { DecodeStats } from '../src/ptq/image-batches.ts';
import { preset } from '../src/pre/spec.ts';
import { testRng } from './helpers/rng.ts';

const sharp = await loadSharp();
const noSharp = sharp ? undefined : 'the optional package sharp is not installed';

/** Writes an RGB image (w x h, pixel function) as png | webp (lossless) | jpg (quality 100). */
async function writeImage(file: string, w: number, h: number, px: (x: number, y: number) => [number, number, number]): Promise<void> {
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(px(x, y), (y * w + x) * 3);
  const img = sharp!(raw, { raw: { width: w, height: h, channels: 3 } });
  const ext = file.split('.').pop();
  const enc = ext === 'png' ? img.png() : ext === 'webp' ? img.webp({ lossless: true }) : img.jpeg({ quality: 100 });
  writeFileSync(file, await enc.toBuffer());
}

describe.skipIf(noSharp)(`image folders${noSharp ? ` (skipped: ${noSharp})` : ''}`, () => {
  it('lists recursively in sorted order; ImageFolder labels from sorted folders or a names file; list files', async () => {
    const root = mkdtempSync(join(tmpdir(), 'qg-folder-'));
    for (const [dir, files] of [['zebra', ['b.png', 'a.jpg']], ['apple', ['x.webp']], ['apple/deep', ['c.png']]] as const) {
      mkdirSync(join(root, dir), { recursive: true });
      for (const f of files) await writeImage(join(root, dir, f), 4, 3, () => [1, 2, 3]);
    }
    writeFileSync(join(root, 'zebra', 'notes.txt'), 'not an image');
    const d = openDataset(root);
    if (d.kind !== 'images') throw new Error(`expected images, got ${d.kind}`);
    expect(d.files.map((f) => f.slice(root.length + 1))).toEqual(['apple/x.webp', 'apple/deep/c.png', 'zebra/a.jpg', 'zebra/b.png']);
    expect(d.classes).toEqual(['apple', 'zebra']);
    expect(Array.from(d.labels!)).toEqual([0, 0, 1, 1]);
    writeFileSync(join(root, '..', 'qg-names.txt'), 'zebra\napple\n');
    const named = openDataset(root, { classes: join(root, '..', 'qg-names.txt') });
    expect(Array.from(datasetLabels(named, 0, 4))).toEqual([1, 1, 0, 0]);
    writeFileSync(join(root, '..', 'qg-bad-names.txt'), 'zebra\n');
    expect(() => openDataset(root, { classes: join(root, '..', 'qg-bad-names.txt') })).toThrow(/class folder 'apple' .* is not in/);
    // A loose image at the top level: a plain (unlabeled) folder, which eval refuses and calibration takes.
    await writeImage(join(root, 'top.png'), 4, 3, () => [0, 0, 0]);
    const plain = openDataset(root);
    expect([datasetSize(plain), plain.kind === 'images' && plain.labels]).toEqual([5, undefined]);
    expect(() => datasetLabels(plain, 0, 5)).toThrow(/no class subfolders/);
    writeFileSync(join(root, 'list.txt'), '# calibration\nzebra/b.png\napple/x.webp  # a comment\n');
    const list = openDataset(join(root, 'list.txt'));
    expect(list.kind === 'images' && list.files).toEqual([join(root, 'zebra/b.png'), join(root, 'apple/x.webp')]);
  });

  it('streams batches through the preprocessing, checks every image against the model input, counts decoding', async () => {
    const rng = testRng();
    const root = mkdtempSync(join(tmpdir(), 'qg-stream-'));
    const sizes: [number, number][] = Array.from({ length: 7 }, () => [rng.int(20, 60), rng.int(20, 60)]);
    for (const [i, [w, h]] of sizes.entries()) await writeImage(join(root, `${i}.png`), w, h, (x, y) => [(x * 7 + i) & 255, (y * 5) & 255, 9]);
    const g = load(readFileSync(assetPath('models/resnet20_cifar10.onnx')));
    const p = modelProfile(g, 'x.onnx', preset('imagenet', [32, 32]));
    const stats = new DecodeStats();
    const set = calibrationFrom(openDataset(root), p, 1, 7, 4, { stats });
    expect(set.count).toBe(2);
    const b1 = (await set.batch(1))[p.input];
    expect(b1.dims).toEqual([2, 3, 32, 32]);
    expect((await set.batch(0))[p.input].dims).toEqual([4, 3, 32, 32]);
    expect(stats.images).toBe(6);
    expect(stats.perSecond).toBeGreaterThan(0);
    // Without a crop the images keep their own sizes, which the model cannot take: the error names the file.
    const noCrop = modelProfile(g, 'x.onnx', { ...preset('imagenet', [32, 32]), fit: { mode: 'none' } });
    await expect(calibrationFrom(openDataset(root), noCrop, 0, 2, 2).batch(0)).rejects.toThrow(/[01]\.png became \[3,\d+,\d+\] but the model input wants \[3,32,32\]/);
  });

  it('.npy batches (a folder of them) regroup into the requested batches', async () => {
    const rng = testRng();
    const root = mkdtempSync(join(tmpdir(), 'qg-npy-'));
    const a = Float32Array.from({ length: 3 * 3 * 32 * 32 }, () => rng.uniform());
    const b = Float32Array.from({ length: 2 * 3 * 32 * 32 }, () => rng.uniform());
    writeFileSync(join(root, 'a.npy'), writeNpy({ shape: [3, 3, 32, 32], data: a }));
    writeFileSync(join(root, 'b.npy'), writeNpy({ shape: [2, 3, 32, 32], data: b }));
    const d = openDataset(root);
    expect(datasetSize(d)).toBe(5);
    const p = modelProfile(load(readFileSync(assetPath('models/resnet20_cifar10.onnx'))), 'x.onnx');
    const x = (await calibrationFrom(d, p, 2, 5, 2).batch(0))[p.input];
    expect(x.dims).toEqual([2, 3, 32, 32]);
    expect(x.data.subarray(0, 3072)).toEqual(a.subarray(2 * 3072));
    expect(x.data.subarray(3072)).toEqual(b.subarray(0, 3072));
  });
});

const missing = noSharp ?? missingAssets('models/resnet20_cifar10.onnx', 'data/cifar10_test_1000.bin');

describe.skipIf(missing)(`CIFAR .bin against the same images as files${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('lossless PNG and WebP ImageFolders give the same tensors and the same top-1 as the .bin', async () => {
    const bin = readFileSync(assetPath('data/cifar10_test_1000.bin'));
    const n = 120;
    const start = testRng().int(0, 1000 - n);
    const root = mkdtempSync(join(tmpdir(), 'qg-cifar-'));
    for (const c of CIFAR_CLASSES) mkdirSync(join(root, c));
    for (let i = start; i < start + n; i++) {
      const rec = i * 3073;
      const px = (x: number, y: number): [number, number, number] => [0, 1, 2].map((ch) => bin[rec + 1 + ch * 1024 + y * 32 + x]) as [number, number, number];
      await writeImage(join(root, CIFAR_CLASSES[bin[rec]], `${String(i).padStart(4, '0')}.${i % 2 ? 'png' : 'webp'}`), 32, 32, px);
    }
    const bytes = readFileSync(assetPath('models/resnet20_cifar10.onnx'));
    const p = modelProfile(load(bytes), 'resnet20_cifar10.onnx');
    expect(p.pixels).toBe('cifar');
    const folder = openDataset(root);
    const cifar = openDataset(assetPath('data/cifar10_test_1000.bin'));
    // ImageFolder orders files by class, so compare each file with its own record.
    if (folder.kind !== 'images') throw new Error('expected an image folder');
    const files = folder.files;
    const set = calibrationFrom(folder, p, 0, n, n);
    const x = (await set.batch(0))[p.input].data;
    for (let k = 0; k < n; k++) {
      const rec = Number(/(\d{4})\.\w+$/.exec(files[k])![1]);
      const y = (await calibrationFrom(cifar, p, rec, rec + 1, 1).batch(0))[p.input].data;
      expect(x.subarray(k * 3072, (k + 1) * 3072), files[k]).toEqual(y);
      expect(folder.labels![k]).toBe(bin[rec * 3073]);
    }
    const runner = await ortRunner(bytes);
    try {
      const fromFiles = await evaluate(runner, folder, p, { start: 0, end: n, batch: 50 });
      const fromBin = await evaluate(runner, cifar, p, { start, end: start + n, batch: 50 });
      console.log(`CIFAR records [${start}, ${start + n}): top-1 ${fromBin.top1} from the .bin, ${fromFiles.top1} from PNG/WebP files`);
      expect(fromFiles.top1).toBe(fromBin.top1);
      expect(fromBin.top1).toBeGreaterThan(0.5); // ResNet-20 scores about 80% here: the inputs are right
    } finally {
      await runner.dispose();
    }
  });
});
