/**
 * Preprocessing kernel (letterbox + bilinear resize + pixel transform, RGBA8 frame -> model input): f32 NHWC
 * for three alignments / transforms, and the int8 packed output. Set up as in test/preprocess.test.ts;
 * reference test/reference/preprocess.ts.
 */
import { runKernel } from '../../../src/gpu/exec.ts';
import { type LetterboxOptions, letterbox } from '../../../src/pre/letterbox.ts';
import { IMAGENET_PIXELS, type PixelTransform, type RgbaImage, YOLOX_PIXELS } from '../../../src/pre/preprocess.ts';
import { preprocessKernel, preprocessOutputBytes } from '../../../src/shaders/preprocess.ts';
import { preprocessNHWCRef, quantizePackRef } from '../../reference/preprocess.ts';
import { type Case, EXACT, FLOAT_TOL, type Rng, floatOutcome } from '../suite.ts';

function randomImage(r: Rng, width: number, height: number): RgbaImage {
  return { width, height, data: Uint8Array.from({ length: width * height * 4 }, () => r.int(0, 255)) };
}
const asU32 = (img: RgbaImage): Uint32Array => new Uint32Array(img.data.buffer, img.data.byteOffset, img.width * img.height);

const F32: { name: string; opts: LetterboxOptions; t: PixelTransform }[] = [
  { name: 'YOLOX top-left, BGR raw', opts: {}, t: YOLOX_PIXELS },
  { name: 'centred, mirrored, ImageNet normalisation', opts: { align: 'center', mirror: true }, t: IMAGENET_PIXELS },
  { name: 'stretch (FastestDet), BGR /255', opts: { align: 'stretch' }, t: { channelOrder: 'bgr', scale: 1 / 255 } },
];

export const cases: Case[] = [
  ...F32.map(({ name, opts, t }): Case => ({
    name: `preprocess f32 NHWC: ${name}`,
    tolerance: FLOAT_TOL,
    async run({ device }, r) {
      // Awkward sizes: odd, up- and down-scaling, non-square model input.
      const img = randomImage(r, r.int(5, 70), r.int(5, 70));
      const lb = letterbox(img.width, img.height, r.int(9, 40), r.int(9, 40), opts);
      const params = { output: 'f32' as const, channelOrder: t.channelOrder ?? 'rgb' };
      const out = await runKernel(device, preprocessKernel(params, lb, t), { frame: asU32(img) }, { output: preprocessOutputBytes(params, lb) });
      return floatOutcome(new Float32Array(out.output), preprocessNHWCRef(img, lb, t), `${img.width}x${img.height} -> ${lb.inputWidth}x${lb.inputHeight}`);
    },
  })),
  {
    name: 'preprocess int8 packed output (channel 3 = zero point)',
    tolerance: EXACT,
    async run({ device }, r) {
      const img = randomImage(r, r.int(5, 50), r.int(5, 50));
      const lb = letterbox(img.width, img.height, r.int(9, 33), r.int(9, 33), { align: 'center' });
      const t = IMAGENET_PIXELS;
      const quant = { scale: r.uniform(0.01, 0.03), zeroPoint: r.int(-20, 20) };
      const i8 = { output: 'int8' as const, channelOrder: 'rgb' as const };
      const out = await runKernel(device, preprocessKernel(i8, lb, t, quant), { frame: asU32(img) }, { output: preprocessOutputBytes(i8, lb) });
      const got = new Uint32Array(out.output);
      // Bit-exact against the f64 reference except within 1e-3 of a rounding tie, where the GPU's f32 arithmetic
      // (and fused multiply-adds) may round either way: the same allowance as the Node test.
      const ref = preprocessNHWCRef(img, lb, t);
      const want = quantizePackRef(ref, quant.scale, quant.zeroPoint);
      let bad = 0;
      let first = '';
      let saturated = 0;
      for (let p = 0; p < got.length; p++) {
        for (let c = 0; c < 4; c++) {
          const [g, w] = [(got[p] << (24 - 8 * c)) >> 24, (want[p] << (24 - 8 * c)) >> 24];
          if (g === 127 || g === -128) saturated++;
          if (g === w) continue;
          const v = c < 3 ? ref[p * 3 + c] / quant.scale : NaN;
          if (Math.abs(Math.abs(v % 1) - 0.5) < 1e-3) continue;
          bad++;
          first ||= `pixel ${p} channel ${c}: got ${g} want ${w}`;
        }
      }
      if (saturated === got.length * 4) return { error: Infinity, detail: 'every value saturated: the case could not see errors' };
      return { error: bad, detail: `${bad} mismatches away from ties; first ${first}` };
    },
  },
];
