import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assetPath, missingAssets } from '../src/eval/assets.ts';
import { CIFAR_RAW, CIFAR_RESNET20, readCifarBatch, top1 } from '../src/eval/cifar.ts';
import { type CocoDataset, type CocoDetection, parseCocoDataset, parseCocoDetections } from '../src/eval/coco.ts';
import { evaluateCoco } from '../src/eval/coco-map.ts';

type B = [number, number, number, number];
function dataset(gts: { bbox: B; crowd?: boolean; image?: number; cat?: number }[]): CocoDataset {
  return {
    images: [{ id: 1, file_name: 'a.jpg', width: 100, height: 100 }, { id: 2, file_name: 'b.jpg', width: 100, height: 100 }],
    categories: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }],
    annotations: gts.map((g, i) => ({
      id: i + 1, image_id: g.image ?? 1, category_id: g.cat ?? 1, bbox: g.bbox, area: g.bbox[2] * g.bbox[3],
      iscrowd: g.crowd ? 1 : 0,
    })),
  };
}
const det = (bbox: B, score: number, image = 1, cat = 1): CocoDetection => ({ image_id: image, category_id: cat, bbox, score });

describe('COCO mAP on hand-computed cases', () => {
  it('TP, FP, TP in score order gives (51 * 1 + 50 * 2/3) / 101 at every threshold', () => {
    const gt = dataset([{ bbox: [0, 0, 10, 10] }, { bbox: [50, 50, 20, 20] }]);
    const r = evaluateCoco(gt, [det([0, 0, 10, 10], 0.9), det([80, 0, 10, 10], 0.8), det([50, 50, 20, 20], 0.7)]);
    expect(r.mAP).toBeCloseTo((51 + 50 * (2 / 3)) / 101, 12);
    expect(r.AP50).toBeCloseTo(r.mAP, 12);
  });

  it('a box of IoU 0.72 counts at the thresholds 0.50..0.70 only; categories without gt are left out', () => {
    const r = evaluateCoco(dataset([{ bbox: [0, 0, 10, 10] }]), [det([0, 0, 10, 7.2], 0.5), det([0, 0, 5, 5], 0.9, 1, 2)]);
    expect(r.apPerIou.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(r.mAP).toBeCloseTo(0.5, 12);
    expect([...r.apPerCategory.keys()]).toEqual([1]);
  });

  it('a detection on a crowd box is ignored, not a false positive; a missed category counts 0', () => {
    const gt = dataset([{ bbox: [0, 0, 10, 10] }, { bbox: [40, 40, 50, 50], crowd: true }, { bbox: [0, 0, 9, 9], image: 2, cat: 2 }]);
    const dets = [det([45, 45, 10, 10], 0.9), det([0, 0, 10, 10], 0.8)];
    const r = evaluateCoco(gt, dets);
    expect(r.apPerCategory.get(1)).toBeCloseTo(1, 12);
    expect(r.apPerCategory.get(2)).toBe(0);
    const notCrowd = dataset([{ bbox: [0, 0, 10, 10] }, { bbox: [40, 40, 50, 50] }]);
    expect(evaluateCoco(notCrowd, dets).mAP).toBeLessThan(0.6); // now it is a false positive and a miss
  });

  it('keeps only the top 100 detections per image and category', () => {
    const gt = dataset([{ bbox: [0, 0, 10, 10] }]);
    const junk = Array.from({ length: 100 }, (_, i) => det([90, 90, 5, 5], 0.5 + i / 1000));
    expect(evaluateCoco(gt, [...junk, det([0, 0, 10, 10], 0.1)]).mAP).toBe(0);
    expect(evaluateCoco(gt, [...junk, det([0, 0, 10, 10], 0.1)], { maxDets: 101 }).mAP).toBeGreaterThan(0);
  });
});

const coco = 'data/coco128-val2017/';
const cocoMissing = missingAssets(`${coco}instances_val2017_coco128.json`);

describe.skipIf(cocoMissing)(`COCO mAP of the reference detections${cocoMissing ? ` (skipped: ${cocoMissing})` : ''}`, () => {
  const load = (f: string): string => readFileSync(assetPath(coco + f), 'utf8');
  it.each([
    ['yolox_nano', 33.9, 49.8],
    ['fastestdet', 18.9, 34.9],
  ])('%s: mAP %s, AP50 %s', (model, mAP, AP50) => {
    const gt = parseCocoDataset(load('instances_val2017_coco128.json'));
    const r = evaluateCoco(gt, parseCocoDetections(load(`reference_detections_${model}_fp32.json`)));
    expect(Math.round(r.mAP * 1000) / 10).toBe(mAP);
    expect(Math.round(r.AP50 * 1000) / 10).toBe(AP50);
  });
});

const cifarMissing = missingAssets('data/cifar10_test_1000.bin', 'data/resnet20_cifar10_logits_1000.f32');

describe.skipIf(cifarMissing)(`CIFAR-10${cifarMissing ? ` (skipped: ${cifarMissing})` : ''}`, () => {
  it('reference ResNet-20 logits give 80.4% top-1 against the binary labels', () => {
    const bin = readFileSync(assetPath('data/cifar10_test_1000.bin'));
    const f32 = readFileSync(assetPath('data/resnet20_cifar10_logits_1000.f32'));
    const logits = new Float32Array(f32.buffer.slice(f32.byteOffset, f32.byteOffset + f32.byteLength));
    const { labels, n } = readCifarBatch(bin, CIFAR_RAW, 0, 1000);
    expect(n).toBe(1000);
    expect(Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length)).toEqual(Array(10).fill(100));
    expect(Math.round(top1(logits, labels) * 1000) / 10).toBe(80.4);
  });

  it('reads planes as NCHW with the ResNet-20 normalisation and raw values for ResNet-8', () => {
    const bin = readFileSync(assetPath('data/cifar10_test_1000.bin'));
    const i = 7;
    const raw = readCifarBatch(bin, CIFAR_RAW, i, 2);
    const norm = readCifarBatch(bin, CIFAR_RESNET20, i, 1);
    const rec = 3073 * i;
    expect(raw.labels[0]).toBe(bin[rec]);
    for (const [c, y, x] of [[0, 0, 0], [1, 5, 31], [2, 31, 17]]) {
      const byte = bin[rec + 1 + c * 1024 + y * 32 + x];
      expect(raw.images[(c * 32 + y) * 32 + x]).toBe(byte);
      const want = (byte / 255 - CIFAR_RESNET20.mean![c]) / CIFAR_RESNET20.std![c];
      expect(norm.images[(c * 32 + y) * 32 + x]).toBeCloseTo(want, 5);
    }
    expect(() => readCifarBatch(bin, CIFAR_RAW, 999, 2)).toThrow(/out of range/);
  });
});
