/**
 * COCO-style box mAP, following pycocotools' COCOeval (bbox, area range `all`, maxDets 100):
 *
 * - per (image, category): detections sorted by score (stable), the top `maxDets` kept; ground truths with
 *   `iscrowd` are "ignored" and sorted last; IoU of a detection with a crowd box is intersection / area(det);
 * - per IoU threshold t in 0.50:0.05:0.95, detections in score order greedily take the unmatched ground truth of
 *   highest IoU >= t (a non-ignored match is preferred to an ignored one); a detection matched to an ignored
 *   ground truth is ignored;
 * - per category: all images' detections sorted by score (stable), cumulative TP/FP, precision made monotone
 *   from the right, sampled at the 101 recall points 0:0.01:1 (first index with recall >= r, 0 past the end);
 * - AP = mean over (threshold, recall point, category with ground truth). Categories without ground truth are
 *   left out; categories with ground truth but no detections count as 0.
 */
import type { CocoAnnotation, CocoDataset, CocoDetection } from './coco.ts';

export interface CocoEvalOptions {
  /** Detections kept per image and category (default 100). */
  maxDets?: number;
}

export interface CocoEvalResult {
  /** AP over IoU 0.50:0.95, in [0, 1]. */
  mAP: number;
  AP50: number;
  AP75: number;
  /** AP at each of the 10 IoU thresholds. */
  apPerIou: number[];
  /** AP (0.50:0.95) per COCO category id that has ground truth. */
  apPerCategory: Map<number, number>;
}

/** numpy.linspace(start, stop, num): start + i * step, with the last value exactly `stop`. */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}
export const IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
const REC_THRESHOLDS = linspace(0, 1, 101);

type Box = [number, number, number, number];

function iou(d: Box, g: Box, crowd: boolean): number {
  const iw = Math.min(d[0] + d[2], g[0] + g[2]) - Math.max(d[0], g[0]);
  const ih = Math.min(d[1] + d[3], g[1] + g[3]) - Math.max(d[1], g[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = crowd ? d[2] * d[3] : d[2] * d[3] + g[2] * g[3] - inter;
  return inter / union;
}

/** Per-category lists accumulated over images: score, and per threshold matched / ignored flags. */
interface CatAccum {
  scores: number[];
  tm: number[][]; // [threshold][det] 1 matched, 0 not
  ig: number[][]; // [threshold][det] 1 ignored
  npig: number;
}

/** Matches one image's detections of one category against its ground truths at every threshold. */
function evaluateImage(gts: CocoAnnotation[], dts: CocoDetection[], maxDets: number, acc: CatAccum): void {
  const g = [...gts].sort((a, b) => (a.iscrowd ? 1 : 0) - (b.iscrowd ? 1 : 0));
  const gIgnore = g.map((x) => !!x.iscrowd);
  const d = [...dts].sort((a, b) => b.score - a.score).slice(0, maxDets);
  acc.npig += gIgnore.filter((x) => !x).length;
  const ious = d.map((dt) => g.map((gt) => iou(dt.bbox, gt.bbox, !!gt.iscrowd)));
  IOU_THRESHOLDS.forEach((t, ti) => {
    const gtMatched = new Uint8Array(g.length);
    for (let di = 0; di < d.length; di++) {
      let best = Math.min(t, 1 - 1e-10);
      let m = -1;
      for (let gi = 0; gi < g.length; gi++) {
        if (gtMatched[gi] && !g[gi].iscrowd) continue;
        if (m > -1 && !gIgnore[m] && gIgnore[gi]) break; // ignored gts come last: keep the real match
        if (ious[di][gi] < best) continue;
        best = ious[di][gi];
        m = gi;
      }
      if (m > -1) gtMatched[m] = 1;
      acc.tm[ti].push(m > -1 ? 1 : 0);
      acc.ig[ti].push(m > -1 && gIgnore[m] ? 1 : 0);
    }
  });
  for (const dt of d) acc.scores.push(dt.score);
}

/** Precision at the 101 recall points for one category and threshold (pycocotools `accumulate`). */
function precisionCurve(order: number[], tm: number[], ig: number[], npig: number): Float64Array {
  const pr: number[] = [];
  const rc: number[] = [];
  let tp = 0;
  let fp = 0;
  for (const i of order) {
    if (ig[i]) continue;
    if (tm[i]) tp++;
    else fp++;
    rc.push(tp / npig);
    pr.push(tp / (tp + fp + 2.220446049250313e-16));
  }
  // pycocotools keeps ignored detections as repeated points of the cumulative sums; after the monotone pass a
  // repeat has its predecessor's precision and recall, so skipping them samples the same values.
  for (let i = pr.length - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
  const q = new Float64Array(REC_THRESHOLDS.length);
  let pi = 0;
  REC_THRESHOLDS.forEach((r, ri) => {
    while (pi < rc.length && rc[pi] < r) pi++;
    if (pi < rc.length) q[ri] = pr[pi];
  });
  return q;
}

function groupBy<T>(items: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/** COCO bbox AP of `detections` against the dataset `gt` (images and categories are those of `gt`). */
export function evaluateCoco(gt: CocoDataset, detections: CocoDetection[], opts: CocoEvalOptions = {}): CocoEvalResult {
  const maxDets = opts.maxDets ?? 100;
  const key = (img: number, cat: number): string => `${img}:${cat}`;
  const gtBy = groupBy(gt.annotations, (a) => key(a.image_id, a.category_id));
  const dtBy = groupBy(detections, (d) => key(d.image_id, d.category_id));
  const imgIds = gt.images.map((i) => i.id).sort((a, b) => a - b);
  const catIds = gt.categories.map((c) => c.id).sort((a, b) => a - b);
  const T = IOU_THRESHOLDS.length;
  const apSum = new Float64Array(T); // sum over categories of mean precision, per threshold
  const apPerCategory = new Map<number, number>();
  for (const cat of catIds) {
    const acc: CatAccum = { scores: [], tm: IOU_THRESHOLDS.map(() => []), ig: IOU_THRESHOLDS.map(() => []), npig: 0 };
    for (const img of imgIds) {
      const g = gtBy.get(key(img, cat)) ?? [];
      const d = dtBy.get(key(img, cat)) ?? [];
      if (g.length || d.length) evaluateImage(g, d, maxDets, acc);
    }
    if (acc.npig === 0) continue;
    const order = acc.scores.map((_, i) => i).sort((a, b) => acc.scores[b] - acc.scores[a]);
    let catSum = 0;
    for (let t = 0; t < T; t++) {
      const q = precisionCurve(order, acc.tm[t], acc.ig[t], acc.npig);
      const mean = q.reduce((s, v) => s + v, 0) / q.length;
      apSum[t] += mean;
      catSum += mean;
    }
    apPerCategory.set(cat, catSum / T);
  }
  const k = apPerCategory.size;
  const apPerIou = Array.from(apSum, (s) => (k ? s / k : 0));
  return {
    mAP: apPerIou.reduce((s, v) => s + v, 0) / T,
    AP50: apPerIou[0],
    AP75: apPerIou[5],
    apPerIou,
    apPerCategory,
  };
}
