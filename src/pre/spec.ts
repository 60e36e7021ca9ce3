/**
 * Declared preprocessing: the one description of how an image becomes a model input, shared by the CLI
 * (`quantize`, `eval`, `run`, `inspect`), the library and the browser helpers. `quantize` records it in the
 * output config JSON (`preprocess`), so every later step applies exactly the same steps.
 *
 *   decoded RGBA8 image
 *   -> resize      none | shorter side to N (torchvision `Resize(N)`) | exact W x H (stretch)
 *   -> fit         none | center crop W x H (torchvision `CenterCrop`) | letterbox W x H (aspect kept, padded)
 *   -> channels    model channel order rgb | bgr
 *   -> values      (pixel * scale - mean[c]) / std[c]      (pixel in 0..255; padding = `pad` before scaling)
 *   -> layout      nchw | nhwc
 *
 * Presets are resolved against the model's input size into concrete numbers, so the recorded spec needs no model.
 * Pure TypeScript, no Node imports (the browser bundle uses it).
 */
import type { PixelTransform } from './preprocess.ts';

export type ResizeStep = { mode: 'none' } | { mode: 'shorter'; size: number } | { mode: 'exact'; width: number; height: number };
export type FitStep =
  | { mode: 'none' }
  | { mode: 'center-crop'; width: number; height: number }
  | { mode: 'letterbox'; width: number; height: number; pad: number; align: 'top-left' | 'center' };

export interface PreprocessSpec {
  /** The preset it was made from (shown by `inspect`; the steps below are what counts). */
  preset?: string;
  resize: ResizeStep;
  fit: FitStep;
  /** `antialias`: Pillow BILINEAR (torchvision on PIL images); `bilinear`: cv2.resize INTER_LINEAR. */
  resample: 'bilinear' | 'antialias';
  channelOrder: 'rgb' | 'bgr';
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
  layout: 'nchw' | 'nhwc';
}

export const PRESETS = ['imagenet', 'cifar', 'yolo', 'yolox', 'fastestdet', 'raw'] as const;
export type PresetName = (typeof PRESETS)[number];

const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];
const PLAIN = { mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number], layout: 'nchw' as const };

/**
 * A preset for a model whose input is `size` = [width, height] (undefined when the model's size is dynamic):
 * - `imagenet`: resize shorter side 256, center crop 224, RGB, /255, ImageNet mean/std (torchvision). For a model
 *   of another size S the crop is S and the resize keeps the 256/224 ratio (round(S * 256 / 224)).
 * - `cifar`: resize exactly to the model size (identity on 32x32 images), RGB, /255, ImageNet mean/std (ResNet-20).
 * - `yolo`: letterbox centred, pad 114, RGB, /255 (YOLOv5/v8, default 640).
 * - `yolox`: letterbox top-left, pad 114, BGR, 0..255. `fastestdet`: stretch to the model size, BGR, /255.
 * - `raw`: resize exactly to the model size, RGB, 0..255, no normalization (ResNet-8 MLPerf Tiny).
 */
export function preset(name: string, size?: [number, number]): PreprocessSpec {
  const need = (fallback: number): [number, number] => size ?? [fallback, fallback];
  switch (name) {
    case 'imagenet': {
      const [w, h] = need(224);
      return {
        preset: name, resize: { mode: 'shorter', size: Math.round((Math.min(w, h) * 256) / 224) }, fit: { mode: 'center-crop', width: w, height: h },
        resample: 'antialias', channelOrder: 'rgb', scale: 1 / 255, mean: IMAGENET_MEAN, std: IMAGENET_STD, layout: 'nchw',
      };
    }
    case 'cifar': {
      const [w, h] = need(32);
      return {
        preset: name, resize: { mode: 'exact', width: w, height: h }, fit: { mode: 'none' },
        resample: 'antialias', channelOrder: 'rgb', scale: 1 / 255, mean: IMAGENET_MEAN, std: IMAGENET_STD, layout: 'nchw',
      };
    }
    case 'yolo':
    case 'yolox': {
      const [w, h] = need(name === 'yolo' ? 640 : 416);
      const yolox = name === 'yolox';
      return {
        preset: name, resize: { mode: 'none' }, fit: { mode: 'letterbox', width: w, height: h, pad: 114, align: yolox ? 'top-left' : 'center' },
        resample: 'bilinear', channelOrder: yolox ? 'bgr' : 'rgb', scale: yolox ? 1 : 1 / 255, ...PLAIN,
      };
    }
    case 'fastestdet':
    case 'raw': {
      const [w, h] = need(name === 'raw' ? 32 : 352);
      const fd = name === 'fastestdet';
      return {
        preset: name, resize: { mode: 'exact', width: w, height: h }, fit: { mode: 'none' },
        resample: fd ? 'bilinear' : 'antialias', channelOrder: fd ? 'bgr' : 'rgb', scale: fd ? 1 / 255 : 1, ...PLAIN,
      };
    }
    default:
      throw new Error(`preprocess: unknown preset '${name}' (one of ${PRESETS.join('|')})`);
  }
}

/** The value transform of a spec, in the form the CPU and GPU samplers take. */
export function pixelTransform(s: PreprocessSpec): PixelTransform {
  return { channelOrder: s.channelOrder, scale: s.scale, mean: s.mean, std: s.std, padValue: s.fit.mode === 'letterbox' ? s.fit.pad : 114 };
}

/** [width, height] of the tensor a spec produces, or undefined when it depends on the image (no fixed size). */
export function outputSize(s: PreprocessSpec): [number, number] | undefined {
  if (s.fit.mode !== 'none') return [s.fit.width, s.fit.height];
  if (s.resize.mode === 'exact') return [s.resize.width, s.resize.height];
  return undefined;
}

const modeOf = (step: unknown): unknown => (step as { mode?: unknown } | undefined)?.mode;

/** Checks a spec (e.g. parsed from a config JSON); errors name the field. Returns it typed. */
export function validatePreprocess(json: unknown, where = 'preprocess'): PreprocessSpec {
  const s = json as PreprocessSpec;
  const fail = (m: string): never => {
    throw new Error(`${where}: ${m}`);
  };
  if (!s || typeof s !== 'object') fail('expected an object');
  const pos = (v: unknown, name: string) => (Number.isInteger(v) && (v as number) > 0) || fail(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  const triple = (v: unknown, name: string) => (Array.isArray(v) && v.length === 3 && v.every((x) => Number.isFinite(x))) || fail(`${name} must be 3 numbers, got ${JSON.stringify(v)}`);
  if (s.resize?.mode === 'shorter') pos(s.resize.size, 'resize.size');
  else if (s.resize?.mode === 'exact') [pos(s.resize.width, 'resize.width'), pos(s.resize.height, 'resize.height')];
  else if (modeOf(s.resize) !== 'none') fail(`resize.mode must be none|shorter|exact, got ${JSON.stringify(modeOf(s.resize))}`);
  if (s.fit?.mode === 'center-crop' || s.fit?.mode === 'letterbox') [pos(s.fit.width, 'fit.width'), pos(s.fit.height, 'fit.height')];
  else if (modeOf(s.fit) !== 'none') fail(`fit.mode must be none|center-crop|letterbox, got ${JSON.stringify(modeOf(s.fit))}`);
  if (s.fit.mode === 'letterbox') {
    if (s.resize.mode !== 'none') fail('letterbox resizes the image itself: resize must be none');
    if (!(s.fit.pad >= 0 && s.fit.pad <= 255)) fail(`fit.pad must be in 0..255, got ${s.fit.pad}`);
    if (s.fit.align !== 'top-left' && s.fit.align !== 'center') fail(`fit.align must be top-left|center, got ${JSON.stringify(s.fit.align)}`);
  }
  if (s.resample !== 'bilinear' && s.resample !== 'antialias') fail(`resample must be bilinear|antialias, got ${JSON.stringify(s.resample)}`);
  if (s.channelOrder !== 'rgb' && s.channelOrder !== 'bgr') fail(`channelOrder must be rgb|bgr, got ${JSON.stringify(s.channelOrder)}`);
  if (!(Number.isFinite(s.scale) && s.scale > 0)) fail(`scale must be a positive number, got ${JSON.stringify(s.scale)}`);
  triple(s.mean, 'mean');
  triple(s.std, 'std');
  if (s.std.some((v) => v === 0)) fail('std must not be 0');
  if (s.layout !== 'nchw' && s.layout !== 'nhwc') fail(`layout must be nchw|nhwc, got ${JSON.stringify(s.layout)}`);
  return s;
}

const r4 = (v: number): string => String(Math.round(v * 1e4) / 1e4);
const wh = (w: number, h: number): string => (w === h ? `${w}` : `${w}x${h}`);

/** One line, e.g. `imagenet: resize shorter 256 (antialias) -> center crop 224 -> RGB x0.0039 mean [...] std [...] NCHW`. */
export function describePreprocess(s: PreprocessSpec): string {
  const resize = s.resize.mode === 'none' ? [] : [`resize ${s.resize.mode === 'shorter' ? `shorter ${s.resize.size}` : `exact ${wh(s.resize.width, s.resize.height)}`} (${s.resample})`];
  const fit = s.fit.mode === 'none' ? [] : s.fit.mode === 'center-crop' ? [`center crop ${wh(s.fit.width, s.fit.height)}`]
    : [`letterbox ${wh(s.fit.width, s.fit.height)} ${s.fit.align} pad ${s.fit.pad} (${s.resample})`];
  const norm = `${s.channelOrder.toUpperCase()} x${r4(s.scale)} mean [${s.mean.map(r4)}] std [${s.std.map(r4)}] ${s.layout.toUpperCase()}`;
  return `${s.preset ? `${s.preset}: ` : ''}${[...resize, ...fit, norm].join(' -> ')}`;
}
