/**
 * Preprocessing from text options (CLI flags, URL parameters): a preset, then each option overriding one step.
 *
 *   pre       imagenet | cifar | yolo | yolox | fastestdet | raw
 *   resize    none | N (shorter side) | WxH (exact)
 *   crop      none | N | WxH (center crop)
 *   letterbox N | WxH (replaces resize and crop);  pad 0..255;  align top-left | center
 *   channels  rgb | bgr;  scale 1 | 1/255 | 0.0039...;  mean a,b,c (or one value);  std a,b,c;  layout nchw | nhwc
 *   resample  bilinear | antialias
 */
import { preset, type PreprocessSpec, validatePreprocess } from './spec.ts';

export const PREPROCESS_OPTIONS = ['pre', 'resize', 'crop', 'letterbox', 'pad', 'align', 'channels', 'scale', 'mean', 'std', 'layout', 'resample'] as const;
export type PreprocessOptions = Partial<Record<(typeof PREPROCESS_OPTIONS)[number], string>>;

const num = (v: string, name: string): number => {
  const parts = v.split('/');
  const x = parts.length === 2 ? Number(parts[0]) / Number(parts[1]) : Number(v);
  if (parts.length > 2 || !Number.isFinite(x)) throw new Error(`--${name}: expected a number, got '${v}'`);
  return x;
};

/** `N` -> [N, N]; `WxH` -> [W, H]. */
function size(v: string, name: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/.exec(v);
  if (!m) throw new Error(`--${name}: expected N or WxH, got '${v}'`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

function triple(v: string, name: string): [number, number, number] {
  const xs = v.split(',').map((s) => num(s.trim(), name));
  if (xs.length === 1) return [xs[0], xs[0], xs[0]];
  if (xs.length !== 3) throw new Error(`--${name}: expected 1 or 3 comma-separated numbers, got '${v}'`);
  return xs as [number, number, number];
}

function oneOf<T extends string>(v: string, allowed: readonly T[], name: string): T {
  if (!allowed.includes(v as T)) throw new Error(`--${name} must be one of ${allowed.join('|')}, got '${v}'`);
  return v as T;
}

/**
 * The spec: `o.pre` (resolved for `modelSize` = [width, height]) or else `base`, with every other option applied
 * on top. Throws when neither gives a starting point or an option contradicts the steps (e.g. --pad without a letterbox).
 */
export function preprocessFromOptions(o: PreprocessOptions, base?: PreprocessSpec, modelSize?: [number, number]): PreprocessSpec {
  const start = o.pre !== undefined ? preset(o.pre, modelSize) : base;
  if (!start) throw new Error('preprocess: no preset given (--pre) and none recorded for this model');
  const s: PreprocessSpec = structuredClone(start);
  const edited = Object.keys(o).some((k) => k !== 'pre' && o[k as keyof PreprocessOptions] !== undefined);
  if (edited) s.preset = `${s.preset ?? 'custom'}+overrides`;
  if (o.letterbox !== undefined) {
    const [width, height] = size(o.letterbox, 'letterbox');
    const prev = s.fit.mode === 'letterbox' ? s.fit : undefined;
    s.fit = { mode: 'letterbox', width, height, pad: prev?.pad ?? 114, align: prev?.align ?? 'center' };
    s.resize = { mode: 'none' };
  }
  if (o.resize !== undefined) {
    if (o.resize === 'none') s.resize = { mode: 'none' };
    else if (/x/.test(o.resize)) {
      const [width, height] = size(o.resize, 'resize');
      s.resize = { mode: 'exact', width, height };
    } else s.resize = { mode: 'shorter', size: size(o.resize, 'resize')[0] };
  }
  if (o.crop !== undefined) {
    if (o.crop === 'none') s.fit = { mode: 'none' };
    else {
      const [width, height] = size(o.crop, 'crop');
      s.fit = { mode: 'center-crop', width, height };
    }
  }
  if (o.pad !== undefined || o.align !== undefined) {
    if (s.fit.mode !== 'letterbox') throw new Error('--pad / --align apply to a letterbox, and this preprocessing has none (add --letterbox N)');
    if (o.pad !== undefined) s.fit.pad = num(o.pad, 'pad');
    if (o.align !== undefined) s.fit.align = oneOf(o.align, ['top-left', 'center'] as const, 'align');
  }
  if (o.channels !== undefined) s.channelOrder = oneOf(o.channels, ['rgb', 'bgr'] as const, 'channels');
  if (o.scale !== undefined) s.scale = num(o.scale, 'scale');
  if (o.mean !== undefined) s.mean = triple(o.mean, 'mean');
  if (o.std !== undefined) s.std = triple(o.std, 'std');
  if (o.layout !== undefined) s.layout = oneOf(o.layout, ['nchw', 'nhwc'] as const, 'layout');
  if (o.resample !== undefined) s.resample = oneOf(o.resample, ['bilinear', 'antialias'] as const, 'resample');
  return validatePreprocess(s, 'preprocess options');
}
