/**
 * Detection lists and non-maximum suppression.
 * Boxes are flat `[x1, y1, x2, y2]` per detection (corners, pixels); classes are contiguous model classes.
 */
import type { Letterbox } from '../pre/letterbox.ts';
import { boxesToFrame } from '../pre/letterbox.ts';

export interface Detections {
  /** 4 values per detection: x1, y1, x2, y2. */
  boxes: Float32Array;
  scores: Float32Array;
  classes: Int32Array;
}

/** Growable list used by the decoders. */
export class DetectionBuilder {
  private boxes: number[] = [];
  private scores: number[] = [];
  private classes: number[] = [];

  /** Adds a box given by centre and size. */
  addCenter(cx: number, cy: number, w: number, h: number, score: number, cls: number): void {
    this.boxes.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
    this.scores.push(score);
    this.classes.push(cls);
  }

  finish(): Detections {
    return { boxes: Float32Array.from(this.boxes), scores: Float32Array.from(this.scores), classes: Int32Array.from(this.classes) };
  }
}

/** The detections at `indices`, in that order. */
export function selectDetections(det: Detections, indices: ArrayLike<number>): Detections {
  const boxes = new Float32Array(indices.length * 4);
  for (let k = 0; k < indices.length; k++) boxes.set(det.boxes.subarray(indices[k] * 4, indices[k] * 4 + 4), k * 4);
  return {
    boxes,
    scores: Float32Array.from(indices, (i) => det.scores[i]),
    classes: Int32Array.from(indices, (i) => det.classes[i]),
  };
}

export interface NmsOptions {
  /** Suppress a box whose IoU with a kept, higher-scoring box exceeds this. */
  iouThreshold: number;
  /** Keep at most this many boxes overall (default: all). */
  maxDetections?: number;
  /** Only boxes of the same class suppress each other (default true). */
  perClass?: boolean;
}

/** IoU of boxes i and j of a flat corner array (no +1: continuous coordinates, like torchvision). */
export function boxIou(b: ArrayLike<number>, i: number, j: number): number {
  const iw = Math.min(b[i * 4 + 2], b[j * 4 + 2]) - Math.max(b[i * 4], b[j * 4]);
  const ih = Math.min(b[i * 4 + 3], b[j * 4 + 3]) - Math.max(b[i * 4 + 1], b[j * 4 + 1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const area = (k: number): number => (b[k * 4 + 2] - b[k * 4]) * (b[k * 4 + 3] - b[k * 4 + 1]);
  return inter / (area(i) + area(j) - inter);
}

/**
 * Greedy NMS. Sorts once by score (descending, stable), then walks the list; each candidate is compared only
 * with the kept boxes of its class, so the cost is O(n log n + n * kept per class). Since candidates come in
 * score order, stopping at `maxDetections` kept gives the same result as suppressing everything first.
 * Returns the kept indices, highest score first.
 */
export function nms(boxes: Float32Array, scores: Float32Array, classes: Int32Array | undefined, opts: NmsOptions): Int32Array {
  const n = scores.length;
  if (boxes.length !== n * 4) throw new Error(`nms: ${boxes.length / 4} boxes for ${n} scores`);
  if (classes && classes.length !== n) throw new Error(`nms: ${classes.length} classes for ${n} scores`);
  const max = opts.maxDetections ?? n;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const keptByClass = new Map<number, number[]>();
  const keep: number[] = [];
  for (const i of order) {
    if (keep.length >= max) break;
    const cls = opts.perClass === false || !classes ? 0 : classes[i];
    let kept = keptByClass.get(cls);
    if (!kept) keptByClass.set(cls, (kept = []));
    if (kept.some((j) => boxIou(boxes, i, j) > opts.iouThreshold)) continue;
    kept.push(i);
    keep.push(i);
  }
  return Int32Array.from(keep);
}

/** NMS on a detection list; returns the kept detections, highest score first. */
export function nmsDetections(det: Detections, opts: NmsOptions): Detections {
  return selectDetections(det, nms(det.boxes, det.scores, det.classes, opts));
}

/** Maps boxes from model-input pixels to frame pixels (in place) through the letterbox inverse; clips by default. */
export function detectionsToFrame(det: Detections, lb: Letterbox, clip = true): Detections {
  boxesToFrame(det.boxes, lb, clip);
  return det;
}
