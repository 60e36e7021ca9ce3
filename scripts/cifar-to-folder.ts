/**
 * Writes CIFAR-10 binary records as an ImageFolder of lossless PNG files (one subfolder per class, named as
 * CIFAR-10 names them, which is also their sorted order), to try `quantize --calib` / `eval --dataset` on folders.
 *
 *   node --import tsx scripts/cifar-to-folder.ts <cifar.bin> <out dir> [--start N] [--limit N]
 *
 * File names carry the record index (`0042.png`). Needs the optional package sharp.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flag, parseArgs } from '../src/cli/args.ts';
import { progressBar } from '../src/cli/progress.ts';
import { CIFAR_CLASSES, CIFAR_RECORD_BYTES, cifarCount } from '../src/eval/cifar.ts';
import { loadSharp } from '../src/eval/image.ts';

const a = parseArgs(process.argv.slice(2));
const [bin, out] = a.positionals;
if (!bin || !out) throw new Error('usage: cifar-to-folder.ts <cifar.bin> <out dir> [--start N] [--limit N]');
const sharp = await loadSharp();
if (!sharp) throw new Error('cifar-to-folder: needs the optional package sharp (npm install sharp)');
const bytes = readFileSync(bin);
const start = Number(flag(a, 'start') ?? 0);
const end = Math.min(cifarCount(bytes), start + Number(flag(a, 'limit') ?? cifarCount(bytes)));
for (const c of CIFAR_CLASSES) mkdirSync(join(out, c), { recursive: true });
const bar = progressBar('write');
const rgb = Buffer.alloc(3072);
for (let i = start; i < end; i++) {
  const rec = i * CIFAR_RECORD_BYTES;
  // Records hold R, G and B planes; PNG wants interleaved RGB.
  for (let k = 0; k < 1024; k++) for (let c = 0; c < 3; c++) rgb[k * 3 + c] = bytes[rec + 1 + c * 1024 + k];
  const png = await sharp(rgb, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer();
  writeFileSync(join(out, CIFAR_CLASSES[bytes[rec]], `${String(i).padStart(4, '0')}.png`), png);
  bar(i + 1 - start, end - start);
}
console.log(`${out}: ${end - start} PNG files in ${CIFAR_CLASSES.length} class folders`);
