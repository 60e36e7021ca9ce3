/** Reference of ONNX Resize on NHWC, straight from the operator's definition, per output pixel. */
export interface ResizeRefParams {
  mode: 'nearest' | 'linear';
  coord: 'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn';
  nearest?: 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';
  outH: number;
  outW: number;
}

function source(o: number, inLen: number, outLen: number, p: ResizeRefParams): number {
  const scale = outLen / inLen;
  if (p.coord === 'align_corners') return outLen === 1 ? 0 : (o * (inLen - 1)) / (outLen - 1);
  if (p.coord === 'asymmetric') return o / scale;
  if (p.coord === 'tf_half_pixel_for_nn') return (o + 0.5) / scale;
  if (p.coord === 'pytorch_half_pixel' && outLen === 1) return 0;
  if (p.coord === 'half_pixel_symmetric') {
    // ONNX opset 19: output_width = scale * input_width (float), adjustment = output_width_int / output_width.
    const adjustment = outLen / (scale * inLen);
    return (inLen / 2) * (1 - adjustment) + (o + 0.5) / scale - 0.5;
  }
  return (o + 0.5) / scale - 0.5;
}

function nearestIndex(x: number, inLen: number, mode: ResizeRefParams['nearest']): number {
  let i: number;
  const frac = x - Math.floor(x);
  if (mode === 'floor') i = Math.floor(x);
  else if (mode === 'ceil') i = Math.ceil(x);
  else if (frac === 0.5) i = mode === 'round_prefer_ceil' ? Math.ceil(x) : Math.floor(x);
  else i = Math.round(x);
  return Math.min(Math.max(i, 0), inLen - 1);
}

export function resizeRef(x: ArrayLike<number>, n: number, h: number, w: number, c: number, p: ResizeRefParams): number[] {
  const at = (b: number, y: number, xx: number, ch: number): number => x[((b * h + y) * w + xx) * c + ch];
  const out: number[] = [];
  for (let b = 0; b < n; b++) for (let oy = 0; oy < p.outH; oy++) for (let ox = 0; ox < p.outW; ox++) for (let ch = 0; ch < c; ch++) {
    const sy = source(oy, h, p.outH, p);
    const sx = source(ox, w, p.outW, p);
    if (p.mode === 'nearest') {
      out.push(at(b, nearestIndex(sy, h, p.nearest), nearestIndex(sx, w, p.nearest), ch));
      continue;
    }
    const y = Math.min(Math.max(sy, 0), h - 1);
    const xx = Math.min(Math.max(sx, 0), w - 1);
    const y0 = Math.floor(y), x0 = Math.floor(xx);
    const y1 = Math.min(y0 + 1, h - 1), x1 = Math.min(x0 + 1, w - 1);
    const wy = y - y0, wx = xx - x0;
    out.push((1 - wy) * ((1 - wx) * at(b, y0, x0, ch) + wx * at(b, y0, x1, ch)) + wy * ((1 - wx) * at(b, y1, x0, ch) + wx * at(b, y1, x1, ch)));
  }
  return out;
}
