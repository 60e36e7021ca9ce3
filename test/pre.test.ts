import { describe, expect, it } from 'vitest';
import { mat3 } from 'gl-matrix';
import { boxesToFrame, letterbox, transformBoxes } from '../src/pre/letterbox.ts';
import { resizeAntialias } from '../src/pre/antialias.ts';
import { IMAGENET_PIXELS, type RgbaImage, YOLOX_PIXELS, preprocessNCHW } from '../src/pre/preprocess.ts';
import { testRng, type Rng } from './helpers/rng.ts';

function randomImage(rng: Rng, width: number, height: number): RgbaImage {
  return { width, height, data: Uint8Array.from({ length: width * height * 4 }, () => rng.int(0, 255)) };
}

/** One channel of a grey image given as rows of values (R = G = B). */
function grey(rows: number[][]): RgbaImage {
  const h = rows.length;
  const w = rows[0].length;
  const data = new Uint8Array(w * h * 4);
  rows.flat().forEach((v, i) => data.set([v, v, v, 255], i * 4));
  return { width: w, height: h, data };
}

describe('letterbox geometry', () => {
  it('fits 640x426 into 416 top-left (YOLOX) and centred (YOLOv5)', () => {
    const tl = letterbox(640, 426, 416);
    expect(tl.content).toEqual([0, 0, 416, 276]); // int(426 * 0.65) = 276
    const c = letterbox(640, 426, 416, 416, { align: 'center' });
    expect(c.content).toEqual([0, 69, 416, 346]); // round(276.9) = 277, top = floor(139 / 2)
    const corner = boxesToFrame(Float32Array.of(0, 69, 416, 346), c);
    expect(Array.from(corner)).toEqual([0, 0, 640, 426].map((v) => expect.closeTo(v, 3)));
  });

  it('maps boxes there and back through the matrix and its inverse (mirror included)', () => {
    const rng = testRng();
    for (const opts of [{}, { align: 'center' as const, mirror: true }, { align: 'stretch' as const }]) {
      const [w, h] = [rng.int(20, 1000), rng.int(20, 1000)];
      const lb = letterbox(w, h, 320, 256, opts);
      const boxes = new Float32Array(40);
      for (let i = 0; i < 40; i += 4) {
        const [x, y] = [rng.uniform(0, w / 2), rng.uniform(0, h / 2)];
        boxes.set([x, y, x + rng.uniform(1, w / 2), y + rng.uniform(1, h / 2)], i);
      }
      const model = transformBoxes(boxes.slice(), lb.matrix);
      for (let i = 0; i < 40; i += 4) {
        expect(model[i + 2]).toBeLessThanOrEqual(lb.content[2] + 1e-3);
        expect(model[i + 3]).toBeLessThanOrEqual(lb.content[3] + 1e-3);
      }
      const back = transformBoxes(model, lb.inverse);
      back.forEach((v, i) => expect(v).toBeCloseTo(boxes[i], 2));
    }
  });

  it('mirrors: frame x = 0 lands on the right edge of the content', () => {
    const lb = letterbox(100, 50, 200, 200, { mirror: true });
    expect(Array.from(transformBoxes(Float32Array.of(0, 0, 10, 10), lb.matrix))).toEqual([180, 0, 200, 20]);
    expect(mat3.determinant(lb.matrix)).toBeLessThan(0);
  });
});

describe('CPU preprocessing', () => {
  it('upsamples like cv2.resize INTER_LINEAR (half-pixel centres, clamped edges)', () => {
    const lb = letterbox(2, 1, 4, 2, { align: 'stretch' });
    const out = preprocessNCHW(grey([[0, 100]]), lb, { scale: 1 });
    // fx = (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> 0, 25, 75, 100
    expect(Array.from(out.subarray(0, 8))).toEqual([0, 25, 75, 100, 0, 25, 75, 100]);
  });

  it('downsamples 4 -> 2 by averaging pixel pairs', () => {
    const lb = letterbox(4, 2, 2, 1, { align: 'stretch' });
    const out = preprocessNCHW(grey([[0, 10, 20, 40], [100, 110, 120, 140]]), lb);
    expect(Array.from(out.subarray(0, 2))).toEqual([55, 80]);
  });

  it('copies pixels exactly at scale 1, BGR-swaps, normalises, pads with 114 and mirrors', () => {
    const rng = testRng();
    const w = rng.int(3, 17);
    const h = rng.int(2, w); // h <= w: the w x w input holds the frame at scale 1
    const img = randomImage(rng, w, h);
    const px = (x: number, y: number, c: number): number => img.data[(y * w + x) * 4 + c];
    // Square input of side w with a w x h frame: identity scale, padding below the frame.
    const lb = letterbox(w, h, w, w);
    const yolox = preprocessNCHW(img, lb, YOLOX_PIXELS);
    const mirrored = preprocessNCHW(img, letterbox(w, h, w, w, { mirror: true }), IMAGENET_PIXELS);
    const mean = IMAGENET_PIXELS.mean!;
    const std = IMAGENET_PIXELS.std!;
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          const got = yolox[(c * w + y) * w + x];
          expect(got).toBe(y < h ? px(x, y, 2 - c) : 114);
          const want = y < h ? (px(w - 1 - x, y, c) / 255 - mean[c]) / std[c] : (114 / 255 - mean[c]) / std[c];
          expect(mirrored[(c * w + y) * w + x]).toBeCloseTo(want, 5);
        }
      }
    }
  });

  it('antialias resize is a Pillow BILINEAR triangle filter with support scaled by the downscale factor', () => {
    // 4 -> 2: taps (0,1,2) and (1,2,3) with weights (3,3,1)/7 and (1,3,3)/7, rounded: 12.5/1.75 = 7.1, 47.5/1.75 = 27.1
    const small = resizeAntialias(grey([[0, 10, 20, 40]]), 2, 1);
    expect([small.data[0], small.data[4]]).toEqual([7, 27]);
    // Upscaling keeps the support of 1: same as plain bilinear, rounded.
    const up = preprocessNCHW(grey([[0, 100]]), letterbox(2, 1, 4, 1, { align: 'stretch' }), { scale: 1 }, 'antialias');
    expect(Array.from(up)).toEqual([0, 25, 75, 100, 0, 25, 75, 100, 0, 25, 75, 100]);
  });

  it('rejects an image of the wrong size', () => {
    const rng = testRng();
    expect(() => preprocessNCHW(randomImage(rng, 4, 4), letterbox(5, 4, 8))).toThrow(/4x4.*5x4/);
  });
});
