/**
 * Antialiased bilinear resize as Pillow's `Image.resize(size, BILINEAR)` does it: a separable triangle filter
 * whose support grows with the downscale factor, horizontal pass then vertical pass, each rounded to uint8.
 *
 * The shared reference detections (reference_detections_*_fp32.json) were made with this resize, not with
 * cv2.resize INTER_LINEAR: on a downscale, plain bilinear skips pixels and moves YOLOX-nano scores by up to 0.15.
 *
 * Per output index o of a pass from n to m samples (Pillow's precompute_coeffs):
 *   scale = n / m, fs = max(scale, 1), support = fs, centre = (o + 0.5) * scale
 *   taps i in [trunc(centre - support + 0.5), trunc(centre + support + 0.5)) within [0, n)
 *   weight(i) = max(0, 1 - |(i - centre + 0.5) / fs|), normalised to sum 1
 */
import type { RgbaImage } from './preprocess.ts';

interface Taps {
  start: Int32Array;
  count: Int32Array;
  /** Weights, `maxTaps` per output index. */
  weights: Float64Array;
  maxTaps: number;
}

function taps(n: number, m: number): Taps {
  const scale = n / m;
  const fs = Math.max(scale, 1);
  const maxTaps = Math.ceil(fs) * 2 + 1;
  const t: Taps = { start: new Int32Array(m), count: new Int32Array(m), weights: new Float64Array(m * maxTaps), maxTaps };
  for (let o = 0; o < m; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(centre - fs + 0.5));
    const hi = Math.min(n, Math.trunc(centre + fs + 0.5));
    let total = 0;
    for (let i = lo; i < hi; i++) {
      const w = Math.max(0, 1 - Math.abs((i - centre + 0.5) / fs));
      t.weights[o * maxTaps + i - lo] = w;
      total += w;
    }
    for (let k = 0; k < hi - lo; k++) t.weights[o * maxTaps + k] /= total;
    [t.start[o], t.count[o]] = [lo, hi - lo];
  }
  return t;
}

const toU8 = (v: number): number => Math.min(255, Math.max(0, Math.round(v)));

/** Resizes an RGBA image to `width` x `height` (alpha is resampled too). */
export function resizeAntialias(img: RgbaImage, width: number, height: number): RgbaImage {
  const { width: w, height: h, data } = img;
  let cur: RgbaImage = img;
  if (width !== w) {
    const tx = taps(w, width);
    const out = new Uint8Array(width * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < width; x++) {
        // The four channels together (each still sums its taps in order, so the result is unchanged).
        let [a0, a1, a2, a3] = [0, 0, 0, 0];
        const wBase = x * tx.maxTaps;
        let p = (y * w + tx.start[x]) * 4;
        for (let k = 0; k < tx.count[x]; k++, p += 4) {
          const wk = tx.weights[wBase + k];
          a0 += wk * data[p];
          a1 += wk * data[p + 1];
          a2 += wk * data[p + 2];
          a3 += wk * data[p + 3];
        }
        const o = (y * width + x) * 4;
        [out[o], out[o + 1], out[o + 2], out[o + 3]] = [toU8(a0), toU8(a1), toU8(a2), toU8(a3)];
      }
    }
    cur = { width, height: h, data: out };
  }
  if (height !== h) {
    const ty = taps(h, height);
    const src = cur.data;
    const rowLen = width * 4;
    const out = new Uint8Array(rowLen * height);
    const acc = new Float64Array(rowLen);
    for (let y = 0; y < height; y++) {
      acc.fill(0);
      for (let k = 0; k < ty.count[y]; k++) {
        const wgt = ty.weights[y * ty.maxTaps + k];
        const row = (ty.start[y] + k) * rowLen;
        for (let i = 0; i < rowLen; i++) acc[i] += wgt * src[row + i];
      }
      for (let i = 0; i < rowLen; i++) out[y * rowLen + i] = toU8(acc[i]);
    }
    cur = { width, height, data: out };
  }
  return cur;
}
