import { describe, expect, it } from 'vitest';
import { decodeFastestDet, decodeYolov5, decodeYolov8, decodeYolox } from '../src/post/decode.ts';
import { boxIou, nms } from '../src/post/detections.ts';
import { decodeOutput, detectDecoder } from '../src/post/detect.ts';
import { testRng, type Rng } from './helpers/rng.ts';

/** Textbook NMS: repeatedly take the best remaining box and drop every same-class box overlapping it. */
function naiveNms(boxes: Float32Array, scores: Float32Array, classes: Int32Array, thr: number, perClass: boolean): number[] {
  const alive = new Set(scores.keys());
  const keep: number[] = [];
  while (alive.size) {
    let best = -1;
    for (const i of alive) if (best < 0 || scores[i] > scores[best] || (scores[i] === scores[best] && i < best)) best = i;
    keep.push(best);
    alive.delete(best);
    for (const j of [...alive]) {
      if ((!perClass || classes[j] === classes[best]) && boxIou(boxes, best, j) > thr) alive.delete(j);
    }
  }
  return keep;
}

function randomBoxes(rng: Rng, n: number): { boxes: Float32Array; scores: Float32Array; classes: Int32Array } {
  const boxes = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    // Clustered around a few centres so that many boxes overlap.
    const [cx, cy] = [rng.int(0, 3) * 40 + rng.uniform(-6, 6), rng.int(0, 3) * 40 + rng.uniform(-6, 6)];
    const [w, h] = [rng.uniform(8, 40), rng.uniform(8, 40)];
    boxes.set([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], i * 4);
  }
  return { boxes, scores: rng.floats(n, 0, 1), classes: Int32Array.from({ length: n }, () => rng.int(0, 3)) };
}

describe('nms', () => {
  it('matches textbook NMS, per class and class-agnostic, and truncates to maxDetections', () => {
    const rng = testRng();
    const { boxes, scores, classes } = randomBoxes(rng, rng.int(50, 400));
    for (const perClass of [true, false]) {
      const thr = rng.uniform(0.3, 0.7);
      const want = naiveNms(boxes, scores, classes, thr, perClass);
      expect(Array.from(nms(boxes, scores, classes, { iouThreshold: thr, perClass }))).toEqual(want);
      expect(Array.from(nms(boxes, scores, classes, { iouThreshold: thr, perClass, maxDetections: 5 }))).toEqual(want.slice(0, 5));
    }
  });

  it('keeps overlapping boxes of different classes apart only when per class', () => {
    const boxes = Float32Array.of(0, 0, 10, 10, 1, 1, 11, 11);
    const scores = Float32Array.of(0.9, 0.8);
    const classes = Int32Array.of(0, 1);
    expect(Array.from(nms(boxes, scores, classes, { iouThreshold: 0.5 }))).toEqual([0, 1]);
    expect(Array.from(nms(boxes, scores, classes, { iouThreshold: 0.5, perClass: false }))).toEqual([0]);
  });
});

describe('decoders', () => {
  it('YOLOX: decodes a planted box on each stride grid, best class, score = obj x cls', () => {
    const rng = testRng();
    const S = 64; // grids 8x8, 4x4, 2x2 = 84 rows
    const nc = 3;
    const out = new Float32Array(84 * (5 + nc)); // objectness 0 everywhere else
    const planted = [
      { row: 8 * 3 + 5, s: 8, gx: 5, gy: 3 }, { row: 64 + 4 * 2 + 1, s: 16, gx: 1, gy: 2 }, { row: 80 + 3, s: 32, gx: 1, gy: 1 },
    ].map((p) => ({ ...p, d: [rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)], cls: rng.int(0, nc - 1) }));
    for (const p of planted) {
      const o = p.row * (5 + nc);
      out.set([...p.d, 0.9], o);
      out.set([0.1, 0.2, 0.3].map((v, c) => (c === p.cls ? 0.8 : v)), o + 5);
    }
    const det = decodeYolox(out, [1, 84, 5 + nc], { inputSize: S, confThreshold: 0.5 });
    expect(Array.from(det.classes)).toEqual(planted.map((p) => p.cls));
    planted.forEach((p, k) => {
      const [cx, cy, w, h] = [(p.d[0] + p.gx) * p.s, (p.d[1] + p.gy) * p.s, Math.exp(p.d[2]) * p.s, Math.exp(p.d[3]) * p.s];
      expect(Array.from(det.boxes.subarray(k * 4, k * 4 + 4))).toEqual([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2].map((v) => expect.closeTo(v, 3)));
      expect(det.scores[k]).toBeCloseTo(0.9 * 0.8, 6);
    });
    const multi = decodeYolox(out, [1, 84, 5 + nc], { inputSize: S, confThreshold: 0.15, multiLabel: true });
    const above = (cls: number): number => [0.1, 0.2, 0.3].map((v, c) => (c === cls ? 0.8 : v)).filter((v) => 0.9 * v >= 0.15).length;
    expect(multi.scores.length).toBe(planted.reduce((s, p) => s + above(p.cls), 0));
  });

  it('FastestDet: cell-relative tanh offsets, sigmoid fractional sizes, score obj^0.6 cls^0.4', () => {
    const [gh, gw, nc] = [4, 5, 2];
    const out = new Float32Array((5 + nc) * gh * gw);
    const at = (c: number, y: number, x: number, v: number): void => void (out[(c * gh + y) * gw + x] = v);
    const logit = (p: number): number => Math.log(p / (1 - p));
    [[0, 0.9], [1, Math.atanh(-0.5)], [2, Math.atanh(0.25)], [3, logit(0.2)], [4, logit(0.5)], [5, 0.3], [6, 0.7]]
      .forEach(([c, v]) => at(c, 2, 3, v));
    const det = decodeFastestDet(out, [1, 5 + nc, gh, gw], { inputSize: [100, 80], confThreshold: 0.1 });
    const [cx, cy, w, h] = [((-0.5 + 3) / gw) * 100, ((0.25 + 2) / gh) * 80, 20, 40];
    expect(Array.from(det.boxes)).toEqual([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2].map((v) => expect.closeTo(v, 3)));
    expect(Array.from(det.classes)).toEqual([1]);
    expect(det.scores[0]).toBeCloseTo(0.9 ** 0.6 * 0.7 ** 0.4, 6);
  });

  it('YOLOv5 raw logits decode to the same boxes as the exported (decoded) form', () => {
    const rng = testRng();
    const [S, nc] = [32, 2]; // grids 4x4, 2x2, 1x1, x3 anchors = 63 rows
    const no = 5 + nc;
    const raw = rng.floats(63 * no, -4, 4);
    const decoded = new Float32Array(raw.length);
    const sig = (x: number): number => 1 / (1 + Math.exp(-x));
    const anchors = [[10, 13, 16, 30, 33, 23], [30, 61, 62, 45, 59, 119], [116, 90, 156, 198, 373, 326]];
    let row = 0;
    [8, 16, 32].forEach((s, l) => {
      for (let a = 0; a < 3; a++) for (let gy = 0; gy < S / s; gy++) for (let gx = 0; gx < S / s; gx++, row++) {
        const r = raw.subarray(row * no, row * no + no);
        decoded.set([(sig(r[0]) * 2 - 0.5 + gx) * s, (sig(r[1]) * 2 - 0.5 + gy) * s, (2 * sig(r[2])) ** 2 * anchors[l][2 * a],
          (2 * sig(r[3])) ** 2 * anchors[l][2 * a + 1], ...Array.from(r.subarray(4), sig)], row * no);
      }
    });
    const opts = { inputSize: S, confThreshold: 0.3, multiLabel: true };
    const a = decodeYolov5(raw, [1, 63, no], { ...opts, decoded: false });
    const b = decodeYolov5(decoded, [1, 63, no], opts);
    expect(a.scores.length).toBeGreaterThan(0);
    expect(Array.from(a.classes)).toEqual(Array.from(b.classes));
    a.boxes.forEach((v, i) => expect(v).toBeCloseTo(b.boxes[i], 3));
    a.scores.forEach((v, i) => expect(v).toBeCloseTo(b.scores[i], 6));
  });

  it('YOLOv8: channel-major cx, cy, w, h and class scores', () => {
    const [nc, n] = [3, 10];
    const out = new Float32Array((4 + nc) * n);
    [50, 60, 20, 10, 0.1, 0.2, 0.95].forEach((v, c) => (out[c * n + 7] = v));
    const det = decodeYolov8(out, [1, 4 + nc, n], { confThreshold: 0.5 });
    expect(Array.from(det.boxes)).toEqual([40, 55, 60, 65]);
    expect(Array.from(det.classes)).toEqual([2]);
    expect(det.scores[0]).toBeCloseTo(0.95, 6);
  });

  it('detectDecoder picks the decoder and input size from the output shape', () => {
    expect(detectDecoder([[1, 3549, 85]])).toEqual({ kind: 'yolox', numClasses: 80, inputSize: [416, 416] });
    expect(detectDecoder([[1, 25200, 85]])).toEqual({ kind: 'yolov5', numClasses: 80, inputSize: [640, 640] });
    expect(detectDecoder([[1, 84, 8400]])).toEqual({ kind: 'yolov8', numClasses: 80, inputSize: [640, 640] });
    expect(detectDecoder([[1, 85, 22, 22]])).toEqual({ kind: 'fastestdet', numClasses: 80, inputSize: [352, 352] });
    expect(() => detectDecoder([[1, 1000, 85]])).toThrow(/\[1,1000,85\]/);
    expect(() => decodeOutput({ kind: 'yolox', numClasses: 80 }, new Float32Array(85), [1, 1, 85])).toThrow(/inputSize/);
  });
});
