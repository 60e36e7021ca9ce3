/**
 * The camera preprocessing kernel (letterbox + channel order + normalization on the GPU) against the CPU
 * reference `preprocessNCHW`, on random frames and random geometries (top-left, centred, stretched, mirrored).
 */
import { describe, expect, it } from 'vitest';
import { GpuPreprocessor, preprocessKernel } from '../src/camera/preprocess.ts';
import { type LetterboxOptions, letterbox } from '../src/pre/letterbox.ts';
import { IMAGENET_PIXELS, type PixelTransform, type RgbaImage, YOLOX_PIXELS, YOLO_ULTRALYTICS_PIXELS, preprocessNCHW } from '../src/pre/preprocess.ts';
import { testGpu } from './helpers/gpu.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';
import { type Rng, testRng } from './helpers/rng.ts';

const randomImage = (rng: Rng, width: number, height: number): RgbaImage =>
  ({ width, height, data: Uint8Array.from({ length: width * height * 4 }, () => rng.int(0, 255)) });

/** NHWC -> NCHW for 3 channels. */
function toNchw(x: Float32Array, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let p = 0; p < h * w; p++) for (let c = 0; c < 3; c++) out[c * h * w + p] = x[p * 3 + c];
  return out;
}

function relError(got: Float32Array, want: Float32Array): number {
  let diff = 0;
  let ref = 0;
  want.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(got[i] - v));
    ref = Math.max(ref, Math.abs(v));
  });
  return diff / Math.max(ref, 1e-12);
}

describe('camera preprocessing kernel', () => {
  it('declares its buffer bindings as the shader does', () => {
    for (const layout of ['nchw', 'nhwc'] as const) expectBindingsMatch(preprocessKernel({ layout }, letterbox(8, 8, 4), {}));
  });

  const cases: [string, LetterboxOptions, PixelTransform, 'nchw' | 'nhwc'][] = [
    ['YOLOX top-left, downscale', {}, YOLOX_PIXELS, 'nchw'],
    ['YOLOv8 centred, mirrored', { align: 'center', mirror: true }, YOLO_ULTRALYTICS_PIXELS, 'nhwc'],
    ['stretch, ImageNet mean/std', { align: 'stretch' }, IMAGENET_PIXELS, 'nchw'],
    ['top-left, mirrored, NHWC', { mirror: true }, YOLOX_PIXELS, 'nhwc'],
  ];
  it.each(cases)('%s matches preprocessNCHW', async (_name, geom, pixels, layout) => {
    const { device } = await testGpu();
    const rng = testRng();
    const [iw, ih] = [rng.int(5, 40), rng.int(5, 40)];
    const pre = await GpuPreprocessor.create(device, { inputWidth: iw, inputHeight: ih, pixels, layout });
    try {
      // Two frames of different sizes through the same preprocessor: the texture is remade, the uniforms rewritten.
      for (let k = 0; k < 2; k++) {
        const img = randomImage(rng, rng.int(3, 70), rng.int(3, 70));
        const lb = letterbox(img.width, img.height, iw, ih, geom);
        await pre.upload(img);
        pre.setLetterbox(lb);
        const raw = await pre.runToHost();
        const got = layout === 'nhwc' ? toNchw(raw, ih, iw) : raw;
        const want = preprocessNCHW(img, lb, pixels);
        expect(relError(got, want), `${img.width}x${img.height} -> ${iw}x${ih} ${JSON.stringify(geom)}`).toBeLessThanOrEqual(1e-4);
        const frame = await pre.readFrame();
        expect(frame.data).toEqual(img.data);
      }
    } finally {
      pre.dispose();
    }
  });
});
