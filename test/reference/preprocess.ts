/**
 * CPU reference of src/shaders/preprocess.wgsl, written from the documented formula (f64 arithmetic):
 * model pixel centre -> frame coordinates through the inverse matrix, bilinear with clamped edges, padding
 * outside the content rectangle, then out = raw * scale / std - mean / std per model channel.
 */
import type { Letterbox } from '../../src/pre/letterbox.ts';
import type { PixelTransform, RgbaImage } from '../../src/pre/preprocess.ts';

/** Round half to even, as WGSL round(). */
export function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** f32 NHWC [H, W, 3]. */
export function preprocessNHWCRef(img: RgbaImage, lb: Letterbox, t: PixelTransform): Float64Array {
  const { inputWidth: W, inputHeight: H } = lb;
  const m = lb.inverse;
  const [x0, y0, x1, y1] = lb.content;
  const out = new Float64Array(W * H * 3);
  const clampTap = (f: number, n: number): [number, number, number] => {
    const i = Math.floor(f);
    if (i < 0) return [0, 0, 0];
    if (i >= n - 1) return [n - 1, n - 1, 0];
    return [i, i + 1, f - i];
  };
  const px = (x: number, y: number, c: number): number => img.data[(y * img.width + x) * 4 + c];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const fu = m[0] * (x + 0.5) + m[3] * (y + 0.5) + m[6] - 0.5;
      const fv = m[1] * (x + 0.5) + m[4] * (y + 0.5) + m[7] - 0.5;
      const [xa, xb, ax] = clampTap(fu, img.width);
      const [ya, yb, ay] = clampTap(fv, img.height);
      for (let c = 0; c < 3; c++) {
        const src = t.channelOrder === 'bgr' ? 2 - c : c;
        const inside = x >= x0 && x < x1 && y >= y0 && y < y1;
        const raw = inside
          ? (1 - ay) * ((1 - ax) * px(xa, ya, src) + ax * px(xb, ya, src)) + ay * ((1 - ax) * px(xa, yb, src) + ax * px(xb, yb, src))
          : (t.padValue ?? 114);
        const std = t.std?.[c] ?? 1;
        out[(y * W + x) * 3 + c] = (raw * (t.scale ?? 1)) / std - (t.mean?.[c] ?? 0) / std;
      }
    }
  }
  return out;
}

/** int8 NHWC packed: one u32 per pixel, byte c = q(channel c), byte 3 = zero point. */
export function quantizePackRef(nhwc: ArrayLike<number>, scale: number, zeroPoint: number): Uint32Array {
  const out = new Uint32Array(nhwc.length / 3);
  const q = (v: number): number => Math.min(127, Math.max(-128, roundEven(v * Math.fround(1 / scale)) + zeroPoint)) & 0xff;
  for (let p = 0; p < out.length; p++) {
    out[p] = (q(nhwc[p * 3]) | (q(nhwc[p * 3 + 1]) << 8) | (q(nhwc[p * 3 + 2]) << 16) | ((zeroPoint & 0xff) << 24)) >>> 0;
  }
  return out;
}
