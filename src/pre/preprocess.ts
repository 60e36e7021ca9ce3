/**
 * CPU preprocessing: letterbox (or stretch) an RGBA8 frame into a model input, NCHW f32 [1, 3, H, W].
 *
 * Sampling (the same formula as src/camera/preprocess.wgsl, and cv2.resize INTER_LINEAR with half-pixel
 * centres for a non-mirrored letterbox), for the model pixel (x, y) inside the content rectangle:
 *
 *   (u, v) = inverse * (x + 0.5, y + 0.5)            frame coordinates of the pixel centre
 *   fx = u - 0.5,  x0 = floor(fx),  ax = fx - x0      (same for y)
 *   x0 < 0       -> x0 = 0,     ax = 0                clamp to the edge, as cv2 does
 *   x0 >= w - 1  -> x0 = w - 1, ax = 0
 *   x1 = min(x0 + 1, w - 1)
 *   p = (1-ay) * ((1-ax) * P[y0][x0] + ax * P[y0][x1]) + ay * ((1-ax) * P[y1][x0] + ax * P[y1][x1])
 *
 * Outside the content rectangle p = padValue. Then out[c] = (p[c'] * scale - mean[c]) / std[c], where c' is the
 * frame channel feeding model channel c (BGR order swaps 0 and 2). cv2 rounds the resized image to uint8 and
 * uses 11-bit fixed-point weights; we keep floats, a difference of at most about one grey level.
 *
 * `resample: 'antialias'` resizes like Pillow's BILINEAR instead (see antialias.ts), which is what produced the
 * shared reference detections; the letterbox placement, mirror, padding and pixel transform are the same.
 */
import { mat3 } from 'gl-matrix';
import type { Letterbox } from './letterbox.ts';
import { inverseAffine } from './letterbox.ts';
import { resizeAntialias } from './antialias.ts';

/** 8-bit RGBA pixels, row-major, 4 bytes per pixel (ImageData, jpeg-js `formatAsRGBA`). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** How pixel values become model inputs. */
export interface PixelTransform {
  /** Channel order of the model input (default `rgb`). */
  channelOrder?: 'rgb' | 'bgr';
  /** Multiplier applied first: 1 (raw 0..255) or 1/255. Default 1. */
  scale?: number;
  /** Per model channel, subtracted after scaling. Default 0. */
  mean?: readonly number[];
  /** Per model channel, divides after the mean. Default 1. */
  std?: readonly number[];
  /** Value of padding pixels, in raw 0..255 units (before scale/mean/std). Default 114. */
  padValue?: number;
}

/** YOLOX: BGR 0..255, pad 114. */
export const YOLOX_PIXELS: PixelTransform = { channelOrder: 'bgr', scale: 1, padValue: 114 };
/** YOLOv5/v8: RGB x/255, pad 114. */
export const YOLO_ULTRALYTICS_PIXELS: PixelTransform = { channelOrder: 'rgb', scale: 1 / 255, padValue: 114 };
/** FastestDet: BGR x/255 (stretched, no padding). */
export const FASTESTDET_PIXELS: PixelTransform = { channelOrder: 'bgr', scale: 1 / 255 };
/** ImageNet statistics on x/255 (ResNet-20 CIFAR). */
export const IMAGENET_PIXELS: PixelTransform = {
  channelOrder: 'rgb', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225],
};

/** Resolved per-channel affine: out = raw * mul[c] + add[c]; `src[c]` is the frame channel of model channel c. */
export function channelAffine(t: PixelTransform): { src: number[]; mul: number[]; add: number[]; pad: number } {
  const scale = t.scale ?? 1;
  const mean = t.mean ?? [0, 0, 0];
  const std = t.std ?? [1, 1, 1];
  return {
    src: t.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2],
    mul: [0, 1, 2].map((c) => scale / std[c]),
    add: [0, 1, 2].map((c) => -mean[c] / std[c]),
    pad: t.padValue ?? 114,
  };
}

/** Bilinear sample (clamp to edge) of channel `ch` at continuous frame coordinates (u, v). */
export function sampleBilinear(img: RgbaImage, u: number, v: number, ch: number): number {
  const { width: w, height: h, data } = img;
  const axis = (f: number, n: number): [number, number, number] => {
    let i0 = Math.floor(f);
    let a = f - i0;
    if (i0 < 0) [i0, a] = [0, 0];
    if (i0 >= n - 1) [i0, a] = [n - 1, 0];
    return [i0, Math.min(i0 + 1, n - 1), a];
  };
  const [x0, x1, ax] = axis(u - 0.5, w);
  const [y0, y1, ay] = axis(v - 0.5, h);
  const p = (x: number, y: number): number => data[(y * w + x) * 4 + ch];
  const top = (1 - ax) * p(x0, y0) + ax * p(x1, y0);
  const bottom = (1 - ax) * p(x0, y1) + ax * p(x1, y1);
  return (1 - ay) * top + ay * bottom;
}

/** `bilinear`: cv2.resize INTER_LINEAR (no antialiasing, as in YOLOX's code); `antialias`: Pillow BILINEAR. */
export type Resample = 'bilinear' | 'antialias';

/** The letterbox of an image already resized to the content size: a pure translation (and mirror). */
function placeResized(lb: Letterbox): Letterbox {
  const [x0, y0, x1, y1] = lb.content;
  const mirror = lb.matrix[0] < 0;
  const matrix = mat3.fromValues(mirror ? -1 : 1, 0, 0, 0, 1, 0, mirror ? x1 : x0, y0, 1);
  const inverse = mat3.invert(mat3.create(), matrix) as mat3; // a translation (and mirror) is always invertible
  return { ...lb, frameWidth: x1 - x0, frameHeight: y1 - y0, matrix, inverse };
}

/** Letterboxes `img` per `lb` into a new NCHW f32 tensor [1, 3, lb.inputHeight, lb.inputWidth]. */
export function preprocessNCHW(img: RgbaImage, lb: Letterbox, t: PixelTransform = {}, resample: Resample = 'bilinear'): Float32Array {
  if (img.width !== lb.frameWidth || img.height !== lb.frameHeight) {
    throw new Error(`preprocess: image ${img.width}x${img.height} but letterbox made for ${lb.frameWidth}x${lb.frameHeight}`);
  }
  if (img.data.length < img.width * img.height * 4) throw new Error('preprocess: image data shorter than w*h*4 (RGBA)');
  if (resample === 'antialias') {
    const [x0, y0, x1, y1] = lb.content;
    return preprocessNCHW(resizeAntialias(img, x1 - x0, y1 - y0), placeResized(lb), t, 'bilinear');
  }
  const { inputWidth: W, inputHeight: H, content: [cx0, cy0, cx1, cy1] } = lb;
  const [a, b, c, d, e, f] = inverseAffine(lb);
  const { src, mul, add, pad } = channelAffine(t);
  const out = new Float32Array(3 * H * W);
  if (b === 0 && d === 0) return sampleAxisAligned(img, lb, src, mul, add, pad, out);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inside = x >= cx0 && x < cx1 && y >= cy0 && y < cy1;
      const u = a * (x + 0.5) + b * (y + 0.5) + c;
      const v = d * (x + 0.5) + e * (y + 0.5) + f;
      for (let ch = 0; ch < 3; ch++) {
        const raw = inside ? sampleBilinear(img, u, v, src[ch]) : pad;
        out[(ch * H + y) * W + x] = raw * mul[ch] + add[ch];
      }
    }
  }
  return out;
}

/** Per output column (or row) of an axis-aligned map: the two source taps and the weight, as sampleBilinear finds them. */
function axisTable(n: number, scale: number, offset: number, size: number): { i0: Int32Array; i1: Int32Array; a: Float64Array } {
  const t = { i0: new Int32Array(n), i1: new Int32Array(n), a: new Float64Array(n) };
  for (let o = 0; o < n; o++) {
    const f = scale * (o + 0.5) + offset - 0.5;
    let i0 = Math.floor(f);
    let a = f - i0;
    if (i0 < 0) [i0, a] = [0, 0];
    if (i0 >= size - 1) [i0, a] = [size - 1, 0];
    [t.i0[o], t.i1[o], t.a[o]] = [i0, Math.min(i0 + 1, size - 1), a];
  }
  return t;
}

/**
 * preprocessNCHW for a map without rotation (every letterbox, crop and resize): the taps of each column and row
 * are found once, not per pixel and channel. The arithmetic is the general loop's, term for term (its zero cross
 * terms add exactly 0), so the two give identical floats; this one is about 10x faster.
 */
function sampleAxisAligned(img: RgbaImage, lb: Letterbox, src: number[], mul: number[], add: number[], pad: number, out: Float32Array): Float32Array {
  const { inputWidth: W, inputHeight: H, content: [cx0, cy0, cx1, cy1] } = lb;
  const [a, , c, , e, f] = inverseAffine(lb);
  const xs = axisTable(W, a, c, img.width);
  const ys = axisTable(H, e, f, img.height);
  const { width: w, data } = img;
  for (let ch = 0; ch < 3; ch++) {
    const [m, k, s] = [mul[ch], add[ch], src[ch]];
    const padded = pad * m + k;
    for (let y = 0; y < H; y++) {
      const row = (ch * H + y) * W;
      const inY = y >= cy0 && y < cy1;
      const [r0, r1, ay] = [ys.i0[y] * w, ys.i1[y] * w, ys.a[y]];
      for (let x = 0; x < W; x++) {
        if (!inY || x < cx0 || x >= cx1) {
          out[row + x] = padded;
          continue;
        }
        const [x0, x1, ax] = [xs.i0[x], xs.i1[x], xs.a[x]];
        const top = (1 - ax) * data[(r0 + x0) * 4 + s] + ax * data[(r0 + x1) * 4 + s];
        const bottom = (1 - ax) * data[(r1 + x0) * 4 + s] + ax * data[(r1 + x1) * 4 + s];
        out[row + x] = ((1 - ay) * top + ay * bottom) * m + k;
      }
    }
  }
  return out;
}
