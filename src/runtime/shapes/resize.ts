/** Shape rules of Resize (opsets 11-21) and the deprecated Upsample, and their output-size resolution. */
import { attrFloats, attrInts, attrString, type TensorData } from '../ir.ts';
import type { InferCtx, TensorInfo } from './context.ts';

/**
 * Output shape of Resize: `sizes` (input 3) when given and non-empty, else floor(in * scale) from `scales`
 * (input 2; input 1 before opset 11). opset 18+ `axes` restricts both to some axes, and
 * `keep_aspect_ratio_policy` (not_larger / not_smaller) turns sizes into one common scale.
 */
export function resizeShape(c: InferCtx): number[] {
  const x = c.in(0).shape;
  const r = x.length;
  const axes = attrInts(c.node, 'axes', [...Array(r).keys()]).map((a) => c.axis(a, r));
  const nonEmpty = (i: number): TensorData | undefined => {
    if (!c.has(i)) return undefined;
    const v = c.value(i, i === 3 ? 'sizes' : 'scales');
    return v.data.length > 0 ? v : undefined;
  };
  const scalesAt = c.opset < 11 ? 1 : 2;
  const sizes = c.opset >= 11 ? nonEmpty(3) : undefined;
  const scales = nonEmpty(scalesAt);
  if (!sizes && !scales) c.fail('needs non-empty scales or sizes');
  if (sizes && scales) c.fail('scales and sizes are both given');
  const out = [...x];
  if (sizes) {
    const s = Array.from(sizes.data as ArrayLike<number | bigint>, Number);
    if (s.length !== axes.length) c.fail(`sizes [${s}] must have ${axes.length} values`);
    const policy = attrString(c.node, 'keep_aspect_ratio_policy', 'stretch');
    if (policy === 'stretch') {
      axes.forEach((a, i) => (out[a] = s[i]));
    } else {
      const ratios = axes.map((a, i) => s[i] / x[a]);
      const k = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => (out[a] = Math.round(k * x[a])));
    }
  } else {
    const s = Array.from(scales!.data as Float32Array);
    if (s.length !== axes.length) c.fail(`scales [${s}] must have ${axes.length} values`);
    if (s.some((v) => !(v > 0))) c.fail(`scales [${s}] must be positive`);
    axes.forEach((a, i) => (out[a] = Math.floor(x[a] * s[i])));
  }
  return out;
}

const COORD_MODES = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

export function resize(c: InferCtx): TensorInfo[] {
  const mode = attrString(c.node, 'mode', 'nearest');
  if (!['nearest', 'linear', 'cubic'].includes(mode)) c.fail(`unknown mode '${mode}'`);
  const coord = attrString(c.node, 'coordinate_transformation_mode', 'half_pixel');
  if (coord === 'tf_crop_and_resize') c.fail(`coordinate_transformation_mode 'tf_crop_and_resize' is not supported (it needs the roi input)`);
  if (!COORD_MODES.includes(coord)) c.fail(`unknown coordinate_transformation_mode '${coord}' (valid: ${COORD_MODES.join(', ')}, tf_crop_and_resize)`);
  const nearest = attrString(c.node, 'nearest_mode', 'round_prefer_floor');
  if (!NEAREST_MODES.includes(nearest)) c.fail(`unknown nearest_mode '${nearest}' (valid: ${NEAREST_MODES.join(', ')})`);
  return [{ dtype: c.in(0).dtype, shape: resizeShape(c) }];
}

/** Upsample (deprecated in opset 10 but still exported): scales from the attribute (opset < 9) or input 1. */
export function upsample(c: InferCtx): TensorInfo[] {
  const x = c.in(0).shape;
  const s = c.has(1) ? Array.from(c.value(1, 'scales').data as Float32Array) : attrFloats(c.node, 'scales', []);
  if (s.length !== x.length) c.fail(`scales [${s}] must have ${x.length} values`);
  return [{ dtype: c.in(0).dtype, shape: x.map((d, i) => Math.floor(d * s[i])) }];
}
