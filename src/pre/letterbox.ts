/**
 * Letterbox geometry: one affine `mat3` (gl-matrix, column-major) from frame pixels to model-input pixels.
 *
 * Coordinates are continuous pixel coordinates: pixel (i, j) covers [i, i+1) x [j, j+1), its centre is
 * (i + 0.5, j + 0.5). The frame of size w x h is resized to rw x rh model pixels and placed at (left, top):
 *
 *   model_x = sx * frame_x + left          (mirror: model_x = sx * (w - frame_x) + left)
 *   model_y = sy * frame_y + top            sx = rw / w, sy = rh / h
 *
 * rw = floor(w * r) (YOLOX, `cv2.resize(img, (int(w*r), int(h*r)))`) or round(w * r) (YOLOv5/v8), with
 * r = min(S_w / w, S_h / h). sx and sy are the *effective* scales, so sampling matches cv2.resize exactly; they
 * differ from r by under one model pixel across the image. The inverse matrix maps boxes back to the frame.
 */
import { mat3, vec2 } from 'gl-matrix';

export type LetterboxAlign = 'top-left' | 'center' | 'stretch';

export interface LetterboxOptions {
  /** `top-left` (YOLOX), `center` (YOLOv5/v8), `stretch` (FastestDet: plain resize, no padding). */
  align?: LetterboxAlign;
  /** Mirror the frame horizontally (front cameras). */
  mirror?: boolean;
  /** How the resized size is rounded: `floor` (YOLOX, default for top-left) or `round` (YOLOv5/v8). */
  rounding?: 'floor' | 'round';
}

export interface Letterbox {
  frameWidth: number;
  frameHeight: number;
  inputWidth: number;
  inputHeight: number;
  /** Frame pixel -> model-input pixel. */
  matrix: mat3;
  /** Model-input pixel -> frame pixel (the inverse of `matrix`). */
  inverse: mat3;
  /** Model-input pixels holding the frame, [x0, y0, x1, y1) (integers); the rest is padding. */
  content: [number, number, number, number];
}

/** The letterbox that fits a `frameWidth` x `frameHeight` frame into an `inputWidth` x `inputHeight` model input. */
export function letterbox(
  frameWidth: number,
  frameHeight: number,
  inputWidth: number,
  inputHeight = inputWidth,
  opts: LetterboxOptions = {},
): Letterbox {
  if (!(frameWidth > 0 && frameHeight > 0 && inputWidth > 0 && inputHeight > 0)) {
    throw new Error(`letterbox: bad sizes frame ${frameWidth}x${frameHeight} input ${inputWidth}x${inputHeight}`);
  }
  const align = opts.align ?? 'top-left';
  let rw = inputWidth;
  let rh = inputHeight;
  let left = 0;
  let top = 0;
  if (align !== 'stretch') {
    const r = Math.min(inputWidth / frameWidth, inputHeight / frameHeight);
    const rnd = (opts.rounding ?? (align === 'center' ? 'round' : 'floor')) === 'floor' ? Math.floor : Math.round;
    // The small epsilon keeps w*r that should be an exact integer (e.g. 640 * 416/640) from flooring one below.
    rw = Math.min(inputWidth, Math.max(1, rnd(frameWidth * r + 1e-9)));
    rh = Math.min(inputHeight, Math.max(1, rnd(frameHeight * r + 1e-9)));
    // YOLOv5's round(d - 0.1) for a half-pixel margin is floor.
    if (align === 'center') [left, top] = [Math.floor((inputWidth - rw) / 2), Math.floor((inputHeight - rh) / 2)];
  }
  const sx = rw / frameWidth;
  const sy = rh / frameHeight;
  const matrix = opts.mirror
    ? mat3.fromValues(-sx, 0, 0, 0, sy, 0, sx * frameWidth + left, top, 1)
    : mat3.fromValues(sx, 0, 0, 0, sy, 0, left, top, 1);
  const inverse = mat3.invert(mat3.create(), matrix);
  if (!inverse) throw new Error('letterbox: singular matrix');
  return {
    frameWidth, frameHeight, inputWidth, inputHeight, matrix, inverse, content: [left, top, left + rw, top + rh],
  };
}

/**
 * Maps boxes `[x1, y1, x2, y2]` (flat, 4 per box) through `m` in place, keeping x1 <= x2 and y1 <= y2 (a mirror
 * swaps the corners). With `clip`, clamps to [0, clip[0]] x [0, clip[1]].
 */
export function transformBoxes(boxes: Float32Array, m: mat3, clip?: [number, number]): Float32Array {
  const a = vec2.create();
  const b = vec2.create();
  for (let i = 0; i + 3 < boxes.length; i += 4) {
    vec2.transformMat3(a, vec2.set(a, boxes[i], boxes[i + 1]), m);
    vec2.transformMat3(b, vec2.set(b, boxes[i + 2], boxes[i + 3]), m);
    let [x1, y1, x2, y2] = [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])];
    if (clip) {
      [x1, x2] = [Math.min(Math.max(x1, 0), clip[0]), Math.min(Math.max(x2, 0), clip[0])];
      [y1, y2] = [Math.min(Math.max(y1, 0), clip[1]), Math.min(Math.max(y2, 0), clip[1])];
    }
    boxes.set([x1, y1, x2, y2], i);
  }
  return boxes;
}

/** Boxes in model-input pixels -> frame pixels (in place), clipped to the frame unless `clip` is false. */
export function boxesToFrame(boxes: Float32Array, lb: Letterbox, clip = true): Float32Array {
  return transformBoxes(boxes, lb.inverse, clip ? [lb.frameWidth, lb.frameHeight] : undefined);
}

/** The inverse matrix as the 2x3 affine rows the preprocessing shader takes: u = a*x + b*y + c, v = d*x + e*y + f. */
export function inverseAffine(lb: Letterbox): [number, number, number, number, number, number] {
  const m = lb.inverse;
  return [m[0], m[3], m[6], m[1], m[4], m[7]];
}
