/**
 * FrameDetector under Node (Dawn): the GPU feed (preprocessing kernel -> runGpu, NHWC) and the host feed
 * (readback -> run, NCHW) give the same detections as the CPU pipeline (preprocessNCHW -> run -> postprocess)
 * on a COCO image, with YOLOX-nano re-planned at 128x128 to stay quick.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FrameDetector } from '../src/camera/detector.ts';
import { withInputSize } from '../src/camera/model.ts';
import { assetPath, missingAssets } from '../src/eval/assets.ts';
import { readJpeg } from '../src/eval/image.ts';
import { YOLOX_PIXELS, preprocessNCHW } from '../src/pre/preprocess.ts';
import { postprocess } from '../src/post/detect.ts';
import { testGpu } from './helpers/gpu.ts';

const image = 'data/coco128-val2017/images/000000000139.jpg';
const missing = missingAssets('models/yolox_nano_coco_416.onnx', image);

describe.skipIf(missing)(`FrameDetector${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('GPU feed, host feed and the CPU pipeline agree (YOLOX-nano at 128, mirrored too)', async () => {
    const context = await testGpu();
    const model = withInputSize(readFileSync(assetPath('models/yolox_nano_coco_416.onnx')), 128);
    const img = await readJpeg(assetPath(image));
    const gpu = await FrameDetector.create(model, { context, confThreshold: 0.1 });
    const host = await FrameDetector.create(model, { context, confThreshold: 0.1, feed: 'host' });
    try {
      expect(gpu.decoder.kind).toBe('yolox');
      for (const mirror of [false, true]) {
        gpu.mirror = host.mirror = mirror;
        const a = await gpu.detect(img);
        const b = await host.detect(img);
        const input = preprocessNCHW(img, a.letterbox, YOLOX_PIXELS);
        const out = await host.session.run({ images: { dims: [1, 3, 128, 128], data: input } });
        const c = postprocess(gpu.decoder, out.output.data, out.output.dims, a.letterbox, { confThreshold: 0.1, iouThreshold: 0.45, maxDetections: 100 });
        expect(a.detections.scores.length).toBeGreaterThan(0);
        for (const d of [b.detections, c]) {
          expect(Array.from(d.classes)).toEqual(Array.from(a.detections.classes));
          d.boxes.forEach((v, i) => expect(Math.abs(v - a.detections.boxes[i]), `box value ${i} (mirror ${mirror})`).toBeLessThan(0.01));
          d.scores.forEach((v, i) => expect(Math.abs(v - a.detections.scores[i])).toBeLessThan(1e-4));
        }
      }
    } finally {
      gpu.dispose();
      host.dispose();
    }
  });
});
