/**
 * Conversions between the storages and layouts of a value (see types.ts), each one kernel:
 *
 * | from            | to              | kernel                                   |
 * |-----------------|-----------------|------------------------------------------|
 * | f32 plain NCHW  | f32 nhwc        | transpose [0,2,3,1]                      |
 * | f32 nhwc        | f32 plain NCHW  | transpose [0,3,1,2]                      |
 * | f32 (any)       | q8              | quantize (reads NCHW directly if plain)  |
 * | q8              | f32 (any)       | dequantize (writes NCHW directly if plain)|
 * | q8 (s1, z1)     | q8 (s2, z2)     | requantize                               |
 *
 * 4-D q8 values are always NHWC (channels packed); other q8 values pack their last axis.
 */
import { dequantizeKernel } from '../../shaders/dequantize.ts';
import { quantizeKernel } from '../../shaders/quantize.ts';
import { requantizeKernel } from '../../shaders/requantize.ts';
import { transposeKernel } from '../../shaders/transpose.ts';
import type { PlanContext } from './context.ts';
import { type Layout, type QParams, type RtValue, type Storage, storedDims } from './types.ts';

export interface Target {
  layout: Layout;
  storage: Storage;
  q?: QParams;
}

/** Rows x channels view of a value for the (de)quantize kernels. */
function rowsOf(v: RtValue): { rows: number; c: number; inner: number } {
  if (v.dims.length === 4) {
    const [n, c, h, w] = v.dims;
    return { rows: n * h * w, c, inner: h * w };
  }
  const c = v.dims.length ? v.dims[v.dims.length - 1] : 1;
  const total = v.dims.reduce((a, b) => a * b, 1);
  return { rows: total / c, c, inner: 1 };
}

export function convertValue(ctx: PlanContext, v: RtValue, t: Target): RtValue {
  const is4d = v.dims.length === 4;
  const layout: Layout = is4d ? (t.storage === 'q8' ? 'nhwc' : t.layout) : 'plain';
  if (t.storage === 'q8' && is4d && t.layout === 'plain') {
    throw new Error(`value '${v.name}': int8 4-D tensors are stored NHWC only`);
  }
  const tag = t.storage === 'q8' ? `q8@${t.q!.scale},${t.q!.zeroPoint}` : 'f32';
  const name = `${v.name}::${layout}/${tag}`;
  const out = ctx.define(name, v.dims, layout, t.storage, t.q);
  const r = rowsOf(v);
  let spec;
  let op: string;
  if (v.storage === 'f32' && t.storage === 'f32') {
    if (!is4d || v.layout === layout) throw new Error(`value '${v.name}': no conversion needed`);
    spec = layout === 'nhwc' ? transposeKernel(v.dims, [0, 2, 3, 1]) : transposeKernel(storedDims(v), [0, 3, 1, 2]);
    op = layout === 'nhwc' ? 'ToNHWC' : 'ToNCHW';
  } else if (v.storage === 'f32') {
    spec = quantizeKernel({ ...t.q!, channelsFirst: is4d && v.layout === 'plain' }, r);
    op = 'QuantizeLinear';
  } else if (t.storage === 'f32') {
    spec = dequantizeKernel({ ...v.q!, channelsFirst: is4d && layout === 'plain' }, r);
    op = 'DequantizeLinear';
  } else {
    spec = requantizeKernel({ input: v.q!, output: t.q! }, out.bytes / 4);
    op = 'Requantize';
  }
  ctx.step(`${v.name} (${op})`, op, spec, { input: v.name, output: out.name }, {}, t.storage === 'q8' ? 'int8' : 'fp32');
  return out;
}
