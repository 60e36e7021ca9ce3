/**
 * Declared preprocessing: presets, option overrides, validation, and the CPU pipeline against a tensor computed
 * by hand (Pillow-style antialiased resize of the shorter side, torchvision center crop, ImageNet normalization).
 */
import { describe, expect, it } from 'vitest';
import { applyPreprocess, roundHalfEven } from '../src/pre/apply.ts';
import { letterbox } from '../src/pre/letterbox.ts';
import { preprocessFromOptions } from '../src/pre/overrides.ts';
import { channelAffine, preprocessNCHW, type RgbaImage, sampleBilinear } from '../src/pre/preprocess.ts';
import { inverseAffine } from '../src/pre/letterbox.ts';
import { describePreprocess, preset, validatePreprocess } from '../src/pre/spec.ts';
import { testRng } from './helpers/rng.ts';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** An image from per-pixel [r, g, b] (alpha 255). */
function image(w: number, h: number, px: (x: number, y: number) => [number, number, number]): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([...px(x, y), 255], (y * w + x) * 4);
  return { width: w, height: h, data };
}

describe('presets', () => {
  it('imagenet is resize 256, center crop 224, RGB, /255, ImageNet mean/std; other sizes keep the 256/224 ratio', () => {
    const s = preset('imagenet', [224, 224]);
    expect(s.resize).toEqual({ mode: 'shorter', size: 256 });
    expect(s.fit).toEqual({ mode: 'center-crop', width: 224, height: 224 });
    expect([s.channelOrder, s.scale, s.mean, s.std, s.layout]).toEqual(['rgb', 1 / 255, MEAN, STD, 'nchw']);
    expect(preset('imagenet', [16, 16]).resize).toEqual({ mode: 'shorter', size: 18 });
    expect(describePreprocess(s)).toBe('imagenet: resize shorter 256 (antialias) -> center crop 224 -> RGB x0.0039 mean [0.485,0.456,0.406] std [0.229,0.224,0.225] NCHW');
  });

  it('yolo letterboxes centred with pad 114, yolox top-left BGR 0..255, raw is unnormalized', () => {
    expect(preset('yolo', [640, 640]).fit).toEqual({ mode: 'letterbox', width: 640, height: 640, pad: 114, align: 'center' });
    const x = preset('yolox', [416, 416]);
    expect([x.fit.mode, x.channelOrder, x.scale]).toEqual(['letterbox', 'bgr', 1]);
    const r = preset('raw', [32, 32]);
    expect([r.resize, r.scale, r.mean, r.std]).toEqual([{ mode: 'exact', width: 32, height: 32 }, 1, [0, 0, 0], [1, 1, 1]]);
    expect(() => preset('vgg')).toThrow(/unknown preset 'vgg'/);
  });

  it('each option overrides one step; contradictions fail with the option named', () => {
    const s = preprocessFromOptions({ pre: 'imagenet', resize: '40', crop: '24x32', channels: 'bgr', scale: '1', mean: '0', std: '1,2,4', layout: 'nhwc' });
    expect(s.resize).toEqual({ mode: 'shorter', size: 40 });
    expect(s.fit).toEqual({ mode: 'center-crop', width: 24, height: 32 });
    expect([s.channelOrder, s.scale, s.mean, s.std, s.layout, s.preset]).toEqual(['bgr', 1, [0, 0, 0], [1, 2, 4], 'nhwc', 'imagenet+overrides']);
    const lb = preprocessFromOptions({ letterbox: '320', pad: '0', align: 'top-left' }, preset('imagenet'));
    expect([lb.resize.mode, lb.fit]).toEqual(['none', { mode: 'letterbox', width: 320, height: 320, pad: 0, align: 'top-left' }]);
    expect(preprocessFromOptions({ scale: '1/255' }, preset('raw')).scale).toBe(1 / 255);
    expect(() => preprocessFromOptions({ pad: '0' }, preset('imagenet'))).toThrow(/--pad \/ --align apply to a letterbox/);
    expect(() => preprocessFromOptions({ mean: '1,2' }, preset('raw'))).toThrow(/--mean: expected 1 or 3/);
    expect(() => preprocessFromOptions({ crop: 'big' }, preset('raw'))).toThrow(/--crop: expected N or WxH/);
    expect(() => preprocessFromOptions({})).toThrow(/no preset given/);
  });

  it('validation names the bad field (specs come back from config JSON)', () => {
    expect(validatePreprocess(JSON.parse(JSON.stringify(preset('yolo'))))).toEqual(preset('yolo'));
    expect(() => validatePreprocess({ ...preset('imagenet'), std: [1, 0, 1] })).toThrow(/std must not be 0/);
    expect(() => validatePreprocess({ ...preset('imagenet'), layout: 'chw' })).toThrow(/layout must be nchw\|nhwc/);
    expect(() => validatePreprocess({ ...preset('yolo'), resize: { mode: 'shorter', size: 10 } })).toThrow(/letterbox resizes the image itself/);
    expect(() => validatePreprocess({ ...preset('raw'), resize: { mode: 'shortest' } })).toThrow(/resize.mode must be/);
  });
});

describe('applyPreprocess', () => {
  it('Python round for crop offsets: halves to even', () => {
    expect([0.5, 1.5, 2.5, 3, 4.5, 1.4].map(roundHalfEven)).toEqual([0, 2, 2, 3, 4, 1]);
  });

  it('resize shorter 2 + center crop 2 + ImageNet normalization of an 8x4 image, by hand', () => {
    // R is a ramp 0, 24, ..., 168 along x; G is irregular along x; B varies along y only.
    const G = [200, 0, 80, 160, 0, 240, 40, 0];
    const B = [14, 0, 28, 7];
    const img = image(8, 4, (x, y) => [24 * x, G[x], B[y]]);
    // Resize: shorter side 4 -> 2, long side int(2 * 8 / 4) = 4. Pillow's triangle filter at scale 2 (support 2):
    //   outputs 1 and 2 (the two the crop keeps) take taps x-2..x+1 around their centre with weights 1,3,3,1 / 8:
    //   R: (24 + 3*48 + 3*72 + 96) / 8 = 60,  (72 + 3*96 + 3*120 + 144) / 8 = 108
    //   G: (0 + 3*80 + 3*160 + 0) / 8 = 90,   (160 + 3*0 + 3*240 + 40) / 8 = 115
    //   rows 4 -> 2: output 0 = (3*14 + 3*0 + 28) / 7 = 10, output 1 = (0 + 3*28 + 3*7) / 7 = 15.
    // Crop 2x2 of 4x2: left = round((4 - 2) / 2) = 1, top = 0.
    const raw = [[60, 108, 60, 108], [90, 115, 90, 115], [10, 10, 15, 15]];
    const want = raw.flatMap((plane, c) => plane.map((v) => (v / 255 - MEAN[c]) / STD[c]));
    const s = preprocessFromOptions({ resize: '2', crop: '2' }, preset('imagenet'));
    const out = applyPreprocess(img, s);
    expect(out.dims).toEqual([1, 3, 2, 2]);
    for (let i = 0; i < want.length; i++) expect(out.data[i]).toBeCloseTo(want[i], 5);
    // Tensor pixel (0, 0) is the centre of resized pixel 1 -> image x = (1 + 0.5) * 2 = 3.
    expect([out.lb.inverse[0] * 0.5 + out.lb.inverse[6], out.lb.inverse[4] * 0.5 + out.lb.inverse[7]]).toEqual([3, 1]);
    // NHWC is the same values, interleaved.
    const nhwc = applyPreprocess(img, { ...s, layout: 'nhwc' });
    expect(nhwc.dims).toEqual([1, 2, 2, 3]);
    expect(Array.from(nhwc.data.subarray(0, 3))).toEqual([out.data[0], out.data[4], out.data[8]]);
  });

  it('a crop larger than the resized image fails, naming the image', () => {
    const s = preprocessFromOptions({ resize: '4', crop: '8' }, preset('imagenet'));
    expect(() => applyPreprocess(image(6, 6, () => [0, 0, 0]), s, 'a.png')).toThrow(/a.png: center crop 8x8 is larger than the image resized to 4x4/);
  });

  it('letterbox and exact presets match the detectors\' preprocessNCHW on random images', () => {
    const rng = testRng();
    const [w, h] = [rng.int(5, 40), rng.int(5, 40)];
    const img = image(w, h, () => [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)]);
    const yolox = applyPreprocess(img, preset('yolox', [24, 16]));
    const lb = letterbox(w, h, 24, 16, { align: 'top-left' });
    expect(yolox.data).toEqual(preprocessNCHW(img, lb, { channelOrder: 'bgr', scale: 1, padValue: 114 }));
    const fd = applyPreprocess(img, preset('fastestdet', [20, 12]));
    expect(fd.data).toEqual(preprocessNCHW(img, letterbox(w, h, 20, 12, { align: 'stretch' }), { channelOrder: 'bgr', scale: 1 / 255 }));
  });

  it('preprocessNCHW (per-row/column taps) equals the per-pixel formula with sampleBilinear, bit for bit', () => {
    const rng = testRng();
    for (let trial = 0; trial < 4; trial++) {
      const [w, h, W, H] = [rng.int(3, 50), rng.int(3, 50), rng.int(3, 30), rng.int(3, 30)];
      const img = image(w, h, () => [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)]);
      const lb = letterbox(w, h, W, H, { align: rng.pick(['top-left', 'center', 'stretch'] as const), mirror: rng.next() < 0.5 });
      const t = { channelOrder: rng.pick(['rgb', 'bgr'] as const), scale: 1 / 255, mean: MEAN, std: STD, padValue: rng.int(0, 255) };
      const { src, mul, add, pad } = channelAffine(t);
      const [a, b, c, d, e, f] = inverseAffine(lb);
      const [cx0, cy0, cx1, cy1] = lb.content;
      const want = new Float32Array(3 * H * W);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const inside = x >= cx0 && x < cx1 && y >= cy0 && y < cy1;
          const [u, v] = [a * (x + 0.5) + b * (y + 0.5) + c, d * (x + 0.5) + e * (y + 0.5) + f];
          for (let ch = 0; ch < 3; ch++) want[(ch * H + y) * W + x] = (inside ? sampleBilinear(img, u, v, src[ch]) : pad) * mul[ch] + add[ch];
        }
      }
      expect(preprocessNCHW(img, lb, t)).toEqual(want);
    }
  });

  it('cifar on an image of the model size is the identity geometry: value = (p / 255 - mean) / std exactly', () => {
    const rng = testRng();
    const img = image(32, 32, () => [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)]);
    const out = applyPreprocess(img, preset('cifar', [32, 32]));
    for (const i of [0, 77, 1023]) {
      for (let c = 0; c < 3; c++) expect(out.data[c * 1024 + i]).toBe(Math.fround(img.data[i * 4 + c] * (1 / 255 / STD[c]) - MEAN[c] / STD[c]));
    }
  });
});
