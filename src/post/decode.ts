/**
 * Detector output decoders. Every decoder returns boxes in model-input pixels (corners), before NMS; map them to
 * the frame with `detectionsToFrame(det, letterbox)`.
 *
 * Scores: a box gets its best class (`multiLabel: false`, YOLOX's eval) or one entry per class above the
 * threshold (`multiLabel: true`, YOLOv5/v8 val). A box is kept when its score >= confThreshold.
 */
import { DetectionBuilder, type Detections } from './detections.ts';

export interface DecodeOptions {
  /** Model input size: a square side or [width, height]. */
  inputSize: number | [number, number];
  /** Minimum score kept (default 0.25). */
  confThreshold?: number;
  /** One detection per class above threshold instead of the best class only (default false). */
  multiLabel?: boolean;
}

const sizeOf = (s: number | [number, number]): [number, number] => (typeof s === 'number' ? [s, s] : s);
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Emits one box's detections: `cls(c)` ranks the classes (best-class mode), `score(c)` is the final score of
 * class c (objectness x class, FastestDet's powers, ...), increasing in `cls(c)`.
 */
function emitClasses(
  out: DetectionBuilder, box: [number, number, number, number], nc: number, cls: (c: number) => number,
  score: (c: number) => number, opts: DecodeOptions,
): void {
  const thr = opts.confThreshold ?? 0.25;
  if (opts.multiLabel) {
    for (let c = 0; c < nc; c++) {
      const s = score(c);
      if (s >= thr) out.addCenter(...box, s, c);
    }
    return;
  }
  let best = 0;
  for (let c = 1; c < nc; c++) if (cls(c) > cls(best)) best = c;
  const s = score(best);
  if (s >= thr) out.addCenter(...box, s, best);
}

function checkShape(op: string, data: ArrayLike<number>, shape: number[], rank: number): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (shape.length !== rank || shape[0] !== 1 || n !== data.length) {
    throw new Error(`${op}: expected a batch-1 rank-${rank} output, got shape [${shape}] with ${data.length} values`);
  }
}

/** Number of grid cells of the anchor-free stride-8/16/32 heads for an input of w x h. */
export function gridCells(w: number, h: number, strides: readonly number[] = [8, 16, 32]): number {
  return strides.reduce((s, st) => s + (w / st) * (h / st), 0);
}

/**
 * YOLOX, output [1, N, 5 + nc]: per cell of the stride grids (in `strides` order, row-major) dx, dy, log w,
 * log h, objectness, class scores (sigmoid already applied). cx = (dx + gx) * s, w = exp(log w) * s,
 * score = obj * cls.
 */
export function decodeYolox(out: Float32Array, shape: number[], opts: DecodeOptions & { strides?: number[] }): Detections {
  checkShape('decodeYolox', out, shape, 3);
  const [W, H] = sizeOf(opts.inputSize);
  const strides = opts.strides ?? [8, 16, 32];
  const [, n, no] = shape;
  if (gridCells(W, H, strides) !== n) throw new Error(`decodeYolox: ${n} rows do not match input ${W}x${H}, strides ${strides}`);
  const nc = no - 5;
  const res = new DetectionBuilder();
  let row = 0;
  for (const s of strides) {
    for (let gy = 0; gy < H / s; gy++) {
      for (let gx = 0; gx < W / s; gx++, row++) {
        const o = row * no;
        const obj = out[o + 4];
        const box: [number, number, number, number] = [
          (out[o] + gx) * s, (out[o + 1] + gy) * s, Math.exp(out[o + 2]) * s, Math.exp(out[o + 3]) * s,
        ];
        emitClasses(res, box, nc, (c) => out[o + 5 + c], (c) => obj * out[o + 5 + c], opts);
      }
    }
  }
  return res.finish();
}

/**
 * FastestDet, output [1, 5 + nc, gh, gw]: objectness (sigmoid applied), raw tx, ty, w, h, class probabilities
 * (softmax applied). The decoder applies the rest, as FastestDet's runtime does: cx = (tanh(tx) + gx) / gw and
 * w = sigmoid(w) as fractions of the input; score = obj^0.6 * cls^0.4.
 */
export function decodeFastestDet(out: Float32Array, shape: number[], opts: DecodeOptions): Detections {
  checkShape('decodeFastestDet', out, shape, 4);
  const [W, H] = sizeOf(opts.inputSize);
  const [, ch, gh, gw] = shape;
  const nc = ch - 5;
  const plane = gh * gw;
  const res = new DetectionBuilder();
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const p = gy * gw + gx;
      const at = (c: number): number => out[c * plane + p];
      const obj = at(0);
      const box: [number, number, number, number] = [
        ((Math.tanh(at(1)) + gx) / gw) * W, ((Math.tanh(at(2)) + gy) / gh) * H, sigmoid(at(3)) * W, sigmoid(at(4)) * H,
      ];
      emitClasses(res, box, nc, (c) => at(5 + c), (c) => obj ** 0.6 * at(5 + c) ** 0.4, opts);
    }
  }
  return res.finish();
}

/** YOLOv5 default anchors (pixels, w h pairs) for strides 8, 16, 32. */
export const YOLOV5_ANCHORS = [[10, 13, 16, 30, 33, 23], [30, 61, 62, 45, 59, 119], [116, 90, 156, 198, 373, 326]];

/**
 * YOLOv5, output [1, N, 5 + nc]. `decoded: true` (the usual export): cx, cy, w, h in pixels, objectness, class
 * scores, all final. `decoded: false`: raw logits in Detect's order (level, anchor, gy, gx), decoded here as
 * xy = (2 sig - 0.5 + g) * s, wh = (2 sig)^2 * anchor. score = obj * cls.
 */
export function decodeYolov5(
  out: Float32Array, shape: number[], opts: DecodeOptions & { decoded?: boolean; anchors?: number[][]; strides?: number[] },
): Detections {
  checkShape('decodeYolov5', out, shape, 3);
  const [W, H] = sizeOf(opts.inputSize);
  const [, n, no] = shape;
  const nc = no - 5;
  const res = new DetectionBuilder();
  const emit = (o: number, box: [number, number, number, number], f: (x: number) => number): void => {
    const obj = f(out[o + 4]);
    emitClasses(res, box, nc, (c) => out[o + 5 + c], (c) => obj * f(out[o + 5 + c]), opts);
  };
  if (opts.decoded !== false) {
    for (let i = 0; i < n; i++) emit(i * no, [out[i * no], out[i * no + 1], out[i * no + 2], out[i * no + 3]], (x) => x);
    return res.finish();
  }
  const strides = opts.strides ?? [8, 16, 32];
  const anchors = opts.anchors ?? YOLOV5_ANCHORS;
  if (gridCells(W, H, strides) * 3 !== n) throw new Error(`decodeYolov5: ${n} rows do not match input ${W}x${H} x 3 anchors`);
  let row = 0;
  strides.forEach((s, l) => {
    for (let a = 0; a < 3; a++) {
      for (let gy = 0; gy < H / s; gy++) {
        for (let gx = 0; gx < W / s; gx++, row++) {
          const o = row * no;
          const box: [number, number, number, number] = [
            (sigmoid(out[o]) * 2 - 0.5 + gx) * s, (sigmoid(out[o + 1]) * 2 - 0.5 + gy) * s,
            (sigmoid(out[o + 2]) * 2) ** 2 * anchors[l][2 * a], (sigmoid(out[o + 3]) * 2) ** 2 * anchors[l][2 * a + 1],
          ];
          emit(o, box, sigmoid);
        }
      }
    }
  });
  return res.finish();
}

/**
 * YOLOv8 (anchor-free, DFL already decoded by the export), output [1, 4 + nc, N], channel-major: cx, cy, w, h
 * in pixels, then class scores (sigmoid applied). score = cls. `inputSize` is not used.
 */
export function decodeYolov8(out: Float32Array, shape: number[], opts: Omit<DecodeOptions, 'inputSize'>): Detections {
  checkShape('decodeYolov8', out, shape, 3);
  const [, ch, n] = shape;
  const nc = ch - 4;
  const res = new DetectionBuilder();
  const o = { inputSize: 0, ...opts };
  for (let i = 0; i < n; i++) {
    const at = (c: number): number => out[c * n + i];
    emitClasses(res, [at(0), at(1), at(2), at(3)], nc, (c) => at(4 + c), (c) => at(4 + c), o);
  }
  return res.finish();
}
