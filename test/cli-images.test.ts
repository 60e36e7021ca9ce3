/**
 * `quantgpu quantize` and `eval` end to end on generated image folders: an ImageFolder of 3 classes (red, green,
 * blue pictures with noise, mixed sizes and formats, one nested folder) and a tiny classifier whose logits are the
 * mean of each colour channel. Checks the recorded preprocessing, the class order (names file vs sorted folder
 * names), `inspect` and `run --image`, all through the real CLI on the GPU runtime.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSharp } from '../src/eval/image.ts';
import { readNpy } from '../src/io/npy.ts';
import { save } from '../src/runtime/onnx/save.ts';
import { preset } from '../src/pre/spec.ts';
import { GraphBuilder } from './fixtures/graph-builder.ts';
import { testRng } from './helpers/rng.ts';

const root = resolve(import.meta.dirname, '..');
const sharp = await loadSharp();
const noSharp = sharp ? undefined : 'the optional package sharp is not installed';

const cli = (...args: string[]): string =>
  execFileSync(process.execPath, [join(root, 'bin/quantgpu.mjs'), ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Logits = per-channel mean of ReLU(4 * x): the class is the strongest colour channel (0 R, 1 G, 2 B). */
function colourClassifier(): Uint8Array {
  const b = new GraphBuilder('colours', { opset: 13 });
  const x = b.input('input', [1, 3, 16, 16]);
  const eye = (k: number) => Array.from({ length: 9 }, (_, i) => (i % 4 === 0 ? k : 0));
  const conv = b.op('Conv', [x, b.f32('w', [3, 3, 1, 1], eye(4)), b.f32('b', [3], [0, 0, 0])], { kernel_shape: [1, 1] });
  const flat = b.op('Flatten', [b.op('GlobalAveragePool', [b.relu(conv)])]);
  b.output(b.op('Gemm', [flat, b.f32('fc', [3, 3], eye(1)), b.f32('fcb', [3], [0, 0, 0])], { transB: 1 }), 'logits');
  const g = b.build();
  g.inputs[0].shape[0] = 'N';
  g.outputs[0].shape[0] = 'N';
  return save(g);
}

describe.skipIf(noSharp)(`CLI on image folders${noSharp ? ` (skipped: ${noSharp})` : ''}`, () => {
  it('quantize --calib <folder> records the preprocessing; eval scores the ImageFolder in either class order', async () => {
    const rng = testRng();
    const dir = mkdtempSync(join(tmpdir(), 'qg-cli-'));
    const data = join(dir, 'data');
    const colours = { red: 0, green: 1, blue: 2 } as const;
    const formats = ['jpg', 'png', 'webp', 'png'];
    for (const [name, c] of Object.entries(colours)) {
      for (let i = 0; i < 4; i++) {
        const sub = i === 3 ? join(data, name, 'more') : join(data, name);
        mkdirSync(sub, { recursive: true });
        const [w, h] = [rng.int(18, 40), rng.int(18, 40)];
        const raw = Buffer.alloc(w * h * 3);
        for (let k = 0; k < w * h * 3; k++) raw[k] = k % 3 === c ? rng.int(170, 250) : rng.int(0, 80);
        const img = sharp!(raw, { raw: { width: w, height: h, channels: 3 } });
        const f = formats[i];
        writeFileSync(join(sub, `${i}.${f}`), await (f === 'jpg' ? img.jpeg({ quality: 95 }) : f === 'png' ? img.png() : img.webp({ lossless: true })).toBuffer());
      }
    }
    const names = join(dir, 'names.txt');
    writeFileSync(names, 'red\ngreen\nblue\n');
    const model = join(dir, 'colours.onnx');
    writeFileSync(model, colourClassifier());
    const out = join(dir, 'colours.int8.onnx');

    const q = cli('quantize', model, '--calib', data, '--pre', 'imagenet', '--calib-limit', '12', '-o', out);
    expect(q).toMatch(/calibrated on images \[0, 12\)/);
    expect(q).toMatch(/decoded \d+ images at [\d.]+ images\/s/);
    const config = JSON.parse(readFileSync(`${out}.config.json`, 'utf8'));
    expect(config.preprocess).toEqual(preset('imagenet', [16, 16])); // resize shorter 18, crop 16
    expect(config.default.weights).toBe('int8');

    // The recorded preprocessing is used without options; the names file puts red first as the model does.
    const named = cli('eval', out, '--dataset', data, '--classes', names, '--batch', '5');
    expect(named).toMatch(/top-1 100\.00% on images \[0, 12\)/);
    // Sorted folder names (blue, green, red) disagree with the model's order: only green keeps its index.
    const sorted = cli('eval', out, '--dataset', data, '--batch', '5');
    expect(sorted).toMatch(/top-1 33\.33% on images \[0, 12\)/);
    // A wrong override is visible in the result: no normalization leaves every channel positive, and the
    // largest mean still wins, so use a channel swap, which moves red and blue.
    expect(cli('eval', out, '--dataset', data, '--classes', names, '--channels', 'bgr', '--batch', '5')).toMatch(/top-1 33\.33%/);

    // Ranges decided wave by wave on the GPU runtime running the partly quantized model, calibrators chosen again.
    const seqOut = join(dir, 'colours.seq.onnx');
    const seq = cli('quantize', model, '--calib', data, '--pre', 'imagenet', '--calib-limit', '12', '--method', 'auto', '--ranges', 'sequential', '--learn-source', 'gpu', '-o', seqOut);
    expect(seq).toMatch(/calibrated on images \[0, 12\)/);
    expect(JSON.parse(readFileSync(`${seqOut}.config.json`, 'utf8')).ptq).toMatchObject({ ranges: 'sequential', learnSource: 'gpu', method: 'auto' });
    expect(cli('eval', seqOut, '--dataset', data, '--classes', names, '--batch', '5')).toMatch(/top-1 100\.00% on images \[0, 12\)/);

    expect(cli('inspect', out)).toMatch(/preprocessing: imagenet: resize shorter 18 \(antialias\) -> center crop 16 -> RGB/);

    const outDir = join(dir, 'run');
    cli('run', out, '--image', join(data, 'blue', '0.jpg'), '--image', join(data, 'red', '1.png'), '--out', outDir);
    const logits = readNpy(readFileSync(join(outDir, 'logits.npy')));
    expect(logits.shape).toEqual([2, 3]);
    const l = logits.data as Float32Array;
    const argmax = (v: Float32Array): number => v.indexOf(Math.max(...v));
    expect([argmax(l.subarray(0, 3)), argmax(l.subarray(3))]).toEqual([2, 0]);
  });
});
