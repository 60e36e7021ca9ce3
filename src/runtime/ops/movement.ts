/**
 * Data movement: Concat, Split, Slice, Transpose, Pad, Gather. Float data; int8 inputs are dequantized first
 * (except Concat of int8 values that share one scale, which copies packed words when the channel offsets allow).
 * Along the channels of an NHWC image, the (de)quantizations of a QDQ graph take the place of the copies: a Split
 * whose parts each go only to a QuantizeLinear quantizes each channel window, and a Concat's int8 inputs are
 * dequantized straight into their window of the output. Same arithmetic, fewer steps (each dispatch has a fixed
 * cost, several ms on a CPU-backed adapter).
 * 4-D NHWC values are handled in NHWC by mapping ONNX axes to stored axes, so no layout change is needed.
 */
import { concatKernels } from '../../shaders/concat.ts';
import { dequantizeKernel } from '../../shaders/dequantize.ts';
import { quantizeKernel } from '../../shaders/quantize.ts';
import { requantizeExactKernel } from '../../shaders/requantize_exact.ts';
import { gatherKernel } from '../../shaders/gather.ts';
import { padKernel, type PadMode } from '../../shaders/pad.ts';
import { sliceKernel } from '../../shaders/slice.ts';
import { splitKernels } from '../../shaders/split.ts';
import { transposeKernel } from '../../shaders/transpose.ts';
import { ModelError, type Node, attrFloat, attrInt, attrInts, attrString } from '../ir.ts';
import { type PlanContext, sameQ } from '../plan/context.ts';
import { type RtValue, storedDims } from '../plan/types.ts';
import { dimsOf, NHWC_AXIS, storedAxis } from './operands.ts';
import { quantizedConsumer } from './qdq.ts';

/** Integer values of a constant input, or of an attribute in older opsets. */
export function intsOf(ctx: PlanContext, node: Node, input: number, attr: string): number[] | undefined {
  const name = node.inputs[input];
  if (name) {
    const t = ctx.initializer(name);
    if (!t) throw new Error(`input ${input} ('${name}') must be a constant`);
    return Array.from(t.data as ArrayLike<number | bigint>, Number);
  }
  const a = node.attrs[attr];
  return a && (a.type === 'ints' || a.type === 'floats') ? a.value : undefined;
}

/** A float view of input i in the layout it has (4-D stays NHWC when it is). */
function floatInput(ctx: PlanContext, node: Node, i = 0): RtValue {
  return ctx.as(node.inputs[i], { storage: 'f32' }, node);
}

export function lowerConcat(ctx: PlanContext, node: Node): void {
  const axis = attrInt(node, 'axis', 0);
  const outDims = dimsOf(ctx, node.outputs[0], node);
  const inputs = node.inputs.filter((n) => n && dimsOf(ctx, n, node).every((d) => d > 0));
  const vals = inputs.map((n) => ctx.value(n, node));
  const rank = outDims.length;
  const a = axis < 0 ? axis + rank : axis;
  const q = vals[0].q;
  const allQ = vals.every((v) => v.storage === 'q8' && sameQ(v.q!, q!));
  const channelOk = a !== 1 || vals.slice(0, -1).every((v) => v.dims[1] % 4 === 0);
  if (allQ && rank === 4 && channelOk) {
    const out = ctx.define(node.outputs[0], outDims, 'nhwc', 'q8', q);
    concatKernels(vals.map(storedDims), NHWC_AXIS[a], 'i8x4').forEach((spec, i) =>
      ctx.step(node, 'Concat', spec, { input: vals[i].name, output: out.name }, {}, 'int8'));
    return;
  }
  // int8 parts of a channel concat that feeds only a QuantizeLinear: each part goes straight to the output's scale
  // (ONNX's DQ -> Q arithmetic, requantize_exact; a word copy where the scales agree) into its word window.
  const target = quantizedConsumer(ctx, node.outputs[0]);
  if (target && rank === 4 && a === 1 && vals.every((v) => v.storage === 'q8') && channelOk) {
    const out = ctx.define(node.outputs[0], outDims, 'nhwc', 'q8', target.q);
    const [batch, c, h, w] = outDims;
    let offset = 0;
    concatKernels(vals.map(storedDims), NHWC_AXIS[a], 'i8x4').forEach((copy, i) => {
      const v = vals[i];
      const cw = Math.ceil(v.dims[1] / 4);
      const spec = sameQ(v.q!, target.q) ? copy
        : requantizeExactKernel({ input: v.q!, output: target.q }, { rows: batch * h * w, cw, window: { stride: Math.ceil(c / 4), offset } });
      ctx.step(node, 'Concat', spec, { input: v.name, output: out.name }, {}, 'int8');
      offset += cw;
    });
    return;
  }
  const layout = rank === 4 && vals.some((v) => v.layout === 'nhwc') ? 'nhwc' : 'plain';
  // int8 parts of a channel concat are dequantized into their window (the copy step is the dequantization).
  const windowed = (v: RtValue) => layout === 'nhwc' && a === 1 && v.storage === 'q8';
  const fl = inputs.map((n, i) => (windowed(vals[i]) ? vals[i] : ctx.as(n, { storage: 'f32', layout }, node)));
  const out = ctx.define(node.outputs[0], outDims, layout, 'f32');
  const [batch, , h, w] = outDims;
  let offset = 0;
  concatKernels(fl.map((v) => (v.storage === 'q8' ? [batch, h, w, v.dims[1]] : storedDims(v))), storedAxis(a, rank, out.layout)).forEach((spec, i) => {
    const v = fl[i];
    if (windowed(v)) {
      const dq = dequantizeKernel(v.q!, { rows: batch * h * w, c: v.dims[1], window: { stride: outDims[1], offset } });
      ctx.step(node, 'Concat', dq, { input: v.name, output: out.name }, {}, 'int8');
    } else {
      ctx.step(node, 'Concat', spec, { input: v.name, output: out.name });
    }
    offset += v.dims[1];
  });
}

export function lowerSplit(ctx: PlanContext, node: Node): void {
  const axis = attrInt(node, 'axis', 0);
  const outs = node.outputs.map((o) => dimsOf(ctx, o, node));
  const x0 = ctx.value(node.inputs[0], node);
  const a = axis < 0 ? axis + x0.dims.length : axis;
  const sizes = outs.map((d) => d[a]);
  // Float NHWC channels split into parts that each feed only a QuantizeLinear: quantize each channel window.
  const targets = node.outputs.map((o) => quantizedConsumer(ctx, o));
  if (x0.storage === 'f32' && x0.layout === 'nhwc' && a === 1 && sizes.every((c) => c > 0) && targets.every((t) => t)) {
    const [n, c, h, w] = x0.dims;
    let offset = 0;
    node.outputs.forEach((o, j) => {
      const out = ctx.define(o, outs[j], 'nhwc', 'q8', targets[j]!.q);
      const spec = quantizeKernel(targets[j]!.q, { rows: n * h * w, c: sizes[j], window: { stride: c, offset } });
      ctx.step(node, 'Split', spec, { input: x0.name, output: out.name }, {}, 'int8');
      offset += sizes[j];
    });
    return;
  }
  const x = floatInput(ctx, node);
  const specs = splitKernels(storedDims(x), storedAxis(a, x.dims.length, x.layout), sizes);
  node.outputs.forEach((o, j) => {
    const out = ctx.define(o, outs[j], x.layout, 'f32');
    ctx.step(node, 'Split', specs[j], { input: x.name, output: out.name });
  });
}

export function lowerSlice(ctx: PlanContext, node: Node): void {
  const x = floatInput(ctx, node);
  const starts = intsOf(ctx, node, 1, 'starts')!;
  const ends = intsOf(ctx, node, 2, 'ends')!;
  const axes = intsOf(ctx, node, 3, 'axes') ?? starts.map((_, i) => i);
  const steps = intsOf(ctx, node, 4, 'steps');
  const rank = x.dims.length;
  const clampBig = (v: number) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, v));
  const spec = sliceKernel(storedDims(x), {
    starts: starts.map(clampBig), ends: ends.map(clampBig),
    axes: axes.map((ax) => storedAxis(ax, rank, x.layout)), steps,
  });
  const out = ctx.define(node.outputs[0], dimsOf(ctx, node.outputs[0], node), x.layout, 'f32');
  ctx.step(node, 'Slice', spec, { input: x.name, output: out.name });
}

export function lowerTranspose(ctx: PlanContext, node: Node): void {
  const x = floatInput(ctx, node);
  const rank = x.dims.length;
  const perm = attrInts(node, 'perm', x.dims.map((_, i) => rank - 1 - i));
  // out[i] = in_onnx[perm[i]]; in NHWC storage ONNX axis a is stored axis NHWC_AXIS[a].
  const p = x.layout === 'nhwc' ? perm.map((a) => NHWC_AXIS[a]) : perm;
  const out = ctx.define(node.outputs[0], perm.map((a) => x.dims[a]), 'plain', 'f32');
  ctx.step(node, 'Transpose', transposeKernel(storedDims(x), p), { input: x.name, output: out.name });
}

export function lowerPad(ctx: PlanContext, node: Node): void {
  const x = floatInput(ctx, node);
  const pads = intsOf(ctx, node, 1, 'pads');
  if (!pads) throw new Error('missing pads');
  const rank = x.dims.length;
  const cv = node.inputs[2] ? ctx.initializer(node.inputs[2]) : undefined;
  const value = cv ? Number(cv.data[0]) : attrFloat(node, 'value', 0);
  const axesIn = node.inputs[3] ? intsOf(ctx, node, 3, 'axes')! : undefined;
  const full = new Array(2 * rank).fill(0);
  const axes = axesIn ?? x.dims.map((_, i) => i);
  axes.forEach((ax, i) => {
    const s = storedAxis(ax, rank, x.layout);
    full[s] = pads[i];
    full[s + rank] = pads[i + axes.length];
  });
  const mode = attrString(node, 'mode', 'constant') as PadMode;
  const out = ctx.define(node.outputs[0], dimsOf(ctx, node.outputs[0], node), x.layout, 'f32');
  ctx.step(node, 'Pad', padKernel(storedDims(x), { mode, pads: full, value }), { input: x.name, output: out.name });
}

export function lowerGather(ctx: PlanContext, node: Node): void {
  const x = floatInput(ctx, node);
  const idx = ctx.initializer(node.inputs[1]);
  if (!idx) throw new Error('indices must be a constant');
  const rank = x.dims.length;
  const axis = attrInt(node, 'axis', 0);
  const a = axis < 0 ? axis + rank : axis;
  const outDims = dimsOf(ctx, node.outputs[0], node);
  // Gather on an NHWC tensor keeps NHWC only if the output is still 4-D with the same axis order.
  const v = x.layout === 'nhwc' && outDims.length !== 4 ? ctx.as(x.name, { layout: 'plain' }, node) : x;
  const indices = Int32Array.from(idx.data as ArrayLike<number | bigint>, (i) => {
    const k = Number(i);
    if (!(k >= -x.dims[a] && k < x.dims[a])) throw new ModelError(`index ${k} is out of range for axis ${a} of size ${x.dims[a]}`, node.name, node.opType);
    return k < 0 ? k + x.dims[a] : k;
  });
  const out = ctx.define(node.outputs[0], outDims, v.layout, 'f32');
  const ib = ctx.constBuffer(`${node.name}:indices`, indices, false);
  ctx.step(node, 'Gather', gatherKernel(storedDims(v), storedAxis(a, rank, v.layout), indices.length), { input: v.name, output: out.name }, { indices: ib });
}
