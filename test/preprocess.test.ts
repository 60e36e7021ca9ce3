import { describe, expect, it } from 'vitest';
import { runKernel } from '../src/gpu/exec.ts';
import { type LetterboxOptions, letterbox } from '../src/pre/letterbox.ts';
import { IMAGENET_PIXELS, type PixelTransform, type RgbaImage, YOLOX_PIXELS } from '../src/pre/preprocess.ts';
import { preprocessKernel, preprocessOutputBytes } from '../src/shaders/preprocess.ts';
import { testGpu } from './helpers/gpu.ts';
import { expectBindingsMatch } from './helpers/reflect.ts';
import { type Rng, relError, testRng } from './helpers/rng.ts';
import { preprocessNHWCRef, quantizePackRef } from './reference/preprocess.ts';

function randomImage(rng: Rng, width: number, height: number): RgbaImage {
  return { width, height, data: Uint8Array.from({ length: width * height * 4 }, () => rng.int(0, 255)) };
}

const asU32 = (img: RgbaImage): Uint32Array => new Uint32Array(img.data.buffer, img.data.byteOffset, img.width * img.height);

const cases: { name: string; opts: LetterboxOptions; t: PixelTransform }[] = [
  { name: 'YOLOX top-left, BGR raw', opts: {}, t: YOLOX_PIXELS },
  { name: 'centred, mirrored, ImageNet normalisation', opts: { align: 'center', mirror: true }, t: IMAGENET_PIXELS },
  { name: 'stretch (FastestDet), BGR /255', opts: { align: 'stretch' }, t: { channelOrder: 'bgr', scale: 1 / 255 } },
];

describe('preprocess kernel', () => {
  for (const { name, opts, t } of cases) {
    it(`f32 NHWC matches the CPU reference: ${name}`, async () => {
      const { device } = await testGpu();
      const rng = testRng();
      // Awkward sizes: odd, up- and down-scaling, non-square model input.
      const img = randomImage(rng, rng.int(5, 70), rng.int(5, 70));
      const lb = letterbox(img.width, img.height, rng.int(9, 40), rng.int(9, 40), opts);
      const params = { output: 'f32' as const, channelOrder: t.channelOrder ?? 'rgb' };
      const spec = preprocessKernel(params, lb, t);
      expectBindingsMatch(spec);
      const out = await runKernel(device, spec, { frame: asU32(img) }, { output: preprocessOutputBytes(params, lb) });
      expect(relError(new Float32Array(out.output), preprocessNHWCRef(img, lb, t))).toBeLessThanOrEqual(1e-4);
    });
  }

  it('int8 packed output matches the reference bytes (channel 3 = zero point)', async () => {
    const { device } = await testGpu();
    const rng = testRng();
    const img = randomImage(rng, rng.int(5, 50), rng.int(5, 50));
    const lb = letterbox(img.width, img.height, rng.int(9, 33), rng.int(9, 33), { align: 'center' });
    const t = IMAGENET_PIXELS;
    const quant = { scale: rng.uniform(0.01, 0.03), zeroPoint: rng.int(-20, 20) };
    const i8 = { output: 'int8' as const, channelOrder: 'rgb' as const };
    const spec = preprocessKernel(i8, lb, t, quant);
    expectBindingsMatch(spec);
    const got = new Uint32Array((await runKernel(device, spec, { frame: asU32(img) }, { output: preprocessOutputBytes(i8, lb) })).output);
    // Bit-exact against the f64 reference except where the value sits within 1e-3 of a rounding tie: the GPU's
    // f32 arithmetic (and its fused multiply-adds) may round those either way.
    const ref = preprocessNHWCRef(img, lb, t);
    const want = quantizePackRef(ref, quant.scale, quant.zeroPoint);
    let saturated = 0;
    for (let p = 0; p < got.length; p++) {
      for (let c = 0; c < 4; c++) {
        const [g, w] = [(got[p] << (24 - 8 * c)) >> 24, (want[p] << (24 - 8 * c)) >> 24];
        if (g === 127 || g === -128) saturated++;
        if (g === w) continue;
        const v = ref[p * 3 + c] / quant.scale;
        expect(Math.abs(Math.abs(v % 1) - 0.5), `pixel ${p} channel ${c}: ${g} vs ${w}`).toBeLessThan(1e-3);
      }
    }
    expect(saturated).toBeLessThan(got.length * 4); // not everything clipped: the test can see errors
  });

  it('rejects int8 output without a valid quantisation', () => {
    const lb = letterbox(10, 10, 8);
    expect(() => preprocessKernel({ output: 'int8', channelOrder: 'rgb' }, lb, {}, { scale: 0, zeroPoint: 0 })).toThrow(/int8/);
  });
});
