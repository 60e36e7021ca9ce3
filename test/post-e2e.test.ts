/**
 * End to end on the CPU: JPEG -> letterbox -> YOLOX-nano in onnxruntime-node -> decode + NMS -> frame boxes,
 * compared with the reference float32 detections for the same image. Validates the whole pre/post chain.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assetPath, missingAssets } from '../src/eval/assets.ts';
import { type CocoDetection, parseCocoDataset, parseCocoDetections, toCocoDetections, yoloClassToCategory } from '../src/eval/coco.ts';
import { jpegDecoder } from '../src/eval/image.ts';
import { letterbox } from '../src/pre/letterbox.ts';
import { YOLOX_PIXELS, preprocessNCHW } from '../src/pre/preprocess.ts';
import { detectDecoder, postprocess } from '../src/post/detect.ts';

const dir = 'data/coco128-val2017/';
const missing = missingAssets('models/yolox_nano_coco_416.onnx', `${dir}instances_val2017_coco128.json`,
  `${dir}reference_detections_yolox_nano_fp32.json`);

function iou(a: CocoDetection['bbox'], b: CocoDetection['bbox']): number {
  const iw = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  return iw > 0 && ih > 0 ? (iw * ih) / (a[2] * a[3] + b[2] * b[3] - iw * ih) : 0;
}

describe.skipIf(missing)(`YOLOX-nano end to end on CPU${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it.for((process.env.E2E_IDS ?? '139,632,885').split(',').map(Number))('image %i matches the reference detections', async (imageId, ctx) => {
    const decode = await jpegDecoder();
    if (!decode) return ctx.skip('jpeg-js is not installed: cannot decode the COCO JPEGs');
    let ort: typeof import('onnxruntime-node');
    try {
      ort = await import('onnxruntime-node');
    } catch (e) {
      return ctx.skip(`onnxruntime-node is not usable here: ${(e as Error).message}`);
    }
    const gt = parseCocoDataset(readFileSync(assetPath(`${dir}instances_val2017_coco128.json`), 'utf8'));
    const info = gt.images.find((im) => im.id === imageId)!;
    const img = decode(readFileSync(assetPath(`${dir}images/${info.file_name}`)));
    expect([img.width, img.height]).toEqual([info.width, info.height]);

    const lb = letterbox(img.width, img.height, 416);
    const input = preprocessNCHW(img, lb, YOLOX_PIXELS, 'antialias'); // as the reference was made
    const session = await ort.InferenceSession.create(assetPath('models/yolox_nano_coco_416.onnx'));
    const result = await session.run({ images: new ort.Tensor('float32', input, [1, 3, 416, 416]) });
    const out = result[session.outputNames[0]];
    const shape = out.dims as number[];
    const choice = detectDecoder([shape]);
    expect(choice.kind).toBe('yolox');
    const det = postprocess(choice, out.data as Float32Array, shape, lb, {
      confThreshold: 0.001, iouThreshold: 0.65, maxDetections: 100, clip: false, // the reference is not clipped
    });
    const ours = toCocoDetections(imageId, det, yoloClassToCategory(gt));

    const ref = parseCocoDetections(readFileSync(assetPath(`${dir}reference_detections_yolox_nano_fp32.json`), 'utf8'))
      .filter((d) => d.image_id === imageId && d.score >= 0.3);
    expect(ref.length).toBeGreaterThan(0);
    // Every confident reference box has a same-class twin with nearly the same score. Boxes differ by under a
    // pixel: jpeg-js vs libjpeg rounding, and the reference maps back with 1/r where we use the exact per-axis scale.
    for (const r of ref) {
      const twins = ours.filter((o) => o.category_id === r.category_id);
      const k = twins.reduce((b, o, i) => (iou(o.bbox, r.bbox) > iou(twins[b].bbox, r.bbox) ? i : b), 0);
      // Small boxes (COCO 'small', under 32^2 px) move relatively more for the same sub-pixel error.
      const minIou = r.bbox[2] * r.bbox[3] < 32 * 32 ? 0.7 : 0.9;
      expect(twins.length ? iou(twins[k].bbox, r.bbox) : 0, `reference ${JSON.stringify(r)}`).toBeGreaterThan(minIou);
      expect(Math.abs(twins[k].score - r.score), `score of ${JSON.stringify(r)}`).toBeLessThan(0.03);
    }
    expect(ours.filter((o) => o.score >= 0.5).length).toBe(ref.filter((r) => r.score >= 0.5).length);
  });
});
