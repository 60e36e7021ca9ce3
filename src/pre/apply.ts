/**
 * Applies a declared PreprocessSpec (spec.ts) to one decoded RGBA8 image on the CPU: the single implementation
 * behind the CLI's calibration and evaluation and the browser helper (browser.ts).
 *
 * Geometry follows the libraries the presets come from:
 * - resize shorter side N: torchvision `Resize(N)`: the short side becomes N, the long one int(N * long / short);
 * - center crop: torchvision `CenterCrop`: left = round((w - cw) / 2) with Python's round (half to even);
 * - `antialias` resamples like Pillow BILINEAR (antialias.ts, uint8 after each pass), then crops exact pixels;
 *   `bilinear` samples once, cv2 INTER_LINEAR style, through one affine map (preprocess.ts);
 * - letterbox and exact resize reuse letterbox.ts (the detectors' conventions).
 */
import { mat3 } from 'gl-matrix';
import { resizeAntialias } from './antialias.ts';
import { type Letterbox, letterbox } from './letterbox.ts';
import { preprocessNCHW, type RgbaImage } from './preprocess.ts';
import { pixelTransform, type PreprocessSpec } from './spec.ts';

/** A preprocessed image: one tensor [1, 3, H, W] (or [1, H, W, 3]) and the map from image to tensor pixels. */
export interface Preprocessed {
  data: Float32Array;
  dims: [number, number, number, number];
  /** Image pixel -> tensor pixel (boxes map back through `lb.inverse`). */
  lb: Letterbox;
}

/** Python 3 `round`: halves go to the even neighbour (torchvision's crop offsets use it). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d !== 0.5) return Math.round(v);
  return f % 2 === 0 ? f : f + 1;
}

/** Size after the resize step (torchvision truncates the long side). */
export function resizedSize(s: PreprocessSpec, w: number, h: number): [number, number] {
  const r = s.resize;
  if (r.mode === 'exact') return [r.width, r.height];
  if (r.mode === 'none') return [w, h];
  return w <= h ? [r.size, Math.trunc((r.size * h) / w)] : [Math.trunc((r.size * w) / h), r.size];
}

/** A Letterbox (no padding) for frame -> tensor `x' = sx * x - left`, `y' = sy * y - top`, tensor W x H. */
function affineBox(w: number, h: number, W: number, H: number, sx: number, sy: number, left: number, top: number): Letterbox {
  const matrix = mat3.fromValues(sx, 0, 0, 0, sy, 0, -left, -top, 1);
  return { frameWidth: w, frameHeight: h, inputWidth: W, inputHeight: H, matrix, inverse: mat3.invert(mat3.create(), matrix) as mat3, content: [0, 0, W, H] };
}

/** NCHW [1, 3, H, W] -> NHWC [1, H, W, 3]. */
function toNhwc(x: Float32Array, H: number, W: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let c = 0; c < 3; c++) for (let i = 0; i < H * W; i++) out[i * 3 + c] = x[c * H * W + i];
  return out;
}

/** Runs `spec` on `img`. Throws, naming `name` (e.g. the file), when a crop is larger than the resized image. */
export function applyPreprocess(img: RgbaImage, s: PreprocessSpec, name = 'image'): Preprocessed {
  const { width: w, height: h } = img;
  if (!(w > 0 && h > 0)) throw new Error(`preprocess: ${name} is empty (${w}x${h})`);
  let lb: Letterbox;
  let data: Float32Array;
  const t = pixelTransform(s);
  if (s.fit.mode === 'letterbox') {
    lb = letterbox(w, h, s.fit.width, s.fit.height, { align: s.fit.align });
    data = preprocessNCHW(img, lb, t, s.resample);
  } else {
    const [rw, rh] = resizedSize(s, w, h);
    let [W, H, left, top] = [rw, rh, 0, 0];
    if (s.fit.mode === 'center-crop') {
      [W, H] = [s.fit.width, s.fit.height];
      if (W > rw || H > rh) throw new Error(`preprocess: ${name}: center crop ${W}x${H} is larger than the image resized to ${rw}x${rh} (from ${w}x${h})`);
      [left, top] = [roundHalfEven((rw - W) / 2), roundHalfEven((rh - H) / 2)];
    }
    if (s.resample === 'antialias' && (rw !== w || rh !== h)) {
      // Pillow resizes to rw x rh first (rounding to uint8), then the crop takes whole pixels.
      const resized = resizeAntialias(img, rw, rh);
      lb = affineBox(w, h, W, H, rw / w, rh / h, left, top);
      data = preprocessNCHW(resized, affineBox(rw, rh, W, H, 1, 1, left, top), t, 'bilinear');
    } else {
      lb = affineBox(w, h, W, H, rw / w, rh / h, left, top);
      data = preprocessNCHW(img, lb, t, 'bilinear');
    }
  }
  const [W, H] = [lb.inputWidth, lb.inputHeight];
  if (s.layout === 'nhwc') return { data: toNhwc(data, H, W), dims: [1, H, W, 3], lb };
  return { data, dims: [1, 3, H, W], lb };
}
