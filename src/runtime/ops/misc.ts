/** Resize/Upsample, Softmax, ReduceMean, elementwise math (Exp, Sqrt, Tanh, ...), Pow by a constant, Cast. */
import { reduceKernel } from '../../shaders/reduce.ts';
import { type CoordMode, type NearestMode, resizeCoords, resizeKernel } from '../../shaders/resize.ts';
import { softmaxKernel } from '../../shaders/softmax.ts';
import { type UnaryOp, unaryKernel } from '../../shaders/unary.ts';
import { type Node, attrInt, attrString, elementCount } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';
import { storedDims } from '../plan/types.ts';
import { lowerBinary } from './elementwise.ts';
import { dimsOf, storedAxis } from './operands.ts';
import { intsOf } from './movement.ts';

export function lowerResize(ctx: PlanContext, node: Node): void {
  const x = ctx.as(node.inputs[0], { storage: 'f32', layout: 'nhwc' }, node);
  if (x.dims.length !== 4) throw new Error(`only 4-D (NCHW) Resize is supported; input has shape [${x.dims}]`);
  const outDims = dimsOf(ctx, node.outputs[0], node);
  if (outDims[0] !== x.dims[0] || outDims[1] !== x.dims[1]) throw new Error(`Resize of batch or channel axes is not supported ([${x.dims}] -> [${outDims}])`);
  // Upsample (scales attribute in opsets 7-8, input 1 in 9) and Resize (scales at 1 in opset 10, at 2 from opset 11,
  // sizes at 3). Upsample and Resize-10 have no coordinate/nearest attributes: their rule is asymmetric + floor.
  const legacy = node.opType === 'Upsample' || ctx.graph.opset < 11;
  const sName = node.inputs[legacy ? 1 : 2];
  const scales = sName ? ctx.initializer(sName) : undefined;
  const attrScales = node.attrs.scales?.type === 'floats' ? node.attrs.scales.value : undefined;
  const scaleList = scales ? Array.from(scales.data as Float32Array) : attrScales;
  const sc = scaleList && scaleList.length === 4 ? scaleList : undefined;
  const rawMode = attrString(node, 'mode', 'nearest');
  const mode = rawMode === 'nearest' ? 'nearest' : rawMode === 'linear' || rawMode === 'bilinear' ? 'linear' : undefined;
  if (!mode) throw new Error(`Resize mode '${rawMode}' is not supported (nearest, linear)`);
  const coord = (legacy ? 'asymmetric' : attrString(node, 'coordinate_transformation_mode', 'half_pixel')) as CoordMode;
  const nearest = (legacy ? 'floor' : attrString(node, 'nearest_mode', 'round_prefer_floor')) as NearestMode;
  const [n, c, h, w] = x.dims;
  const params = { mode, coord, nearest, outH: outDims[2], outW: outDims[3], scaleH: sc?.[2], scaleW: sc?.[3] } as const;
  const shape = { n, h, w, c };
  const out = ctx.define(node.outputs[0], outDims, 'nhwc', 'f32');
  const coords = ctx.constBuffer(`${node.name}:coords`, resizeCoords(shape, params), false);
  ctx.step(node, node.opType, resizeKernel(shape, params), { input: x.name, output: out.name }, { coords });
}

export function lowerSoftmax(ctx: PlanContext, node: Node): void {
  let x = ctx.as(node.inputs[0], { storage: 'f32' }, node);
  const rank = x.dims.length;
  const axis = attrInt(node, 'axis', ctx.graph.opset >= 13 ? -1 : 1);
  const a = axis < 0 ? axis + rank : axis;
  let shape = storedDims(x);
  let sa = storedAxis(a, rank, x.layout);
  if (ctx.graph.opset < 13 && a !== rank - 1) {
    // Before opset 13 Softmax works on the input flattened to 2-D at `axis`.
    x = ctx.as(x.name, { layout: 'plain' }, node);
    shape = [elementCount(x.dims.slice(0, a)), elementCount(x.dims.slice(a))];
    sa = 1;
  }
  const out = ctx.define(node.outputs[0], x.dims, x.layout, 'f32');
  ctx.step(node, node.opType, softmaxKernel(shape, { axis: sa, log: node.opType === 'LogSoftmax' }), { input: x.name, output: out.name });
}

export function lowerReduceMean(ctx: PlanContext, node: Node): void {
  const keepDims = attrInt(node, 'keepdims', 1) === 1;
  let x = ctx.as(node.inputs[0], { storage: 'f32' }, node);
  const rank = x.dims.length;
  const axes = intsOf(ctx, node, 1, 'axes') ?? [];
  const outDims = dimsOf(ctx, node.outputs[0], node);
  // Keep NHWC only if the result is still 4-D (keepdims); else reduce in ONNX order.
  if (x.layout === 'nhwc' && !keepDims) x = ctx.as(x.name, { layout: 'plain' }, node);
  const spec = reduceKernel(storedDims(x), { op: 'mean', axes: axes.map((ax) => storedAxis(ax, rank, x.layout)), keepDims });
  const out = ctx.define(node.outputs[0], outDims, x.layout, 'f32');
  ctx.step(node, node.opType, spec, { input: x.name, output: out.name });
}

const UNARY: Record<string, UnaryOp> = {
  Abs: { kind: 'abs' }, Ceil: { kind: 'ceil' }, Erf: { kind: 'erf' }, Exp: { kind: 'exp' }, Floor: { kind: 'floor' },
  Log: { kind: 'log' }, Neg: { kind: 'neg' }, Reciprocal: { kind: 'reciprocal' }, Round: { kind: 'round' },
  Sqrt: { kind: 'sqrt' }, Tanh: { kind: 'tanh' },
};

export function lowerUnaryMath(ctx: PlanContext, node: Node): void {
  const op = UNARY[node.opType];
  const x = ctx.as(node.inputs[0], { storage: 'f32' }, node);
  const out = ctx.define(node.outputs[0], x.dims, x.layout, 'f32');
  ctx.step(node, node.opType, unaryKernel({ op, act: { kind: 'none' } }, elementCount(x.dims)), { input: x.name, output: out.name });
}

/** Pow by a scalar constant is unary; anything else is the broadcasting binary kernel. */
export function lowerPow(ctx: PlanContext, node: Node): void {
  const e = ctx.initializer(node.inputs[1]);
  if (e && e.data.length === 1 && !ctx.initializer(node.inputs[0])) {
    const x = ctx.as(node.inputs[0], { storage: 'f32' }, node);
    const out = ctx.define(node.outputs[0], x.dims, x.layout, 'f32');
    const op: UnaryOp = { kind: 'pow', exponent: Number(e.data[0]) };
    ctx.step(node, 'Pow', unaryKernel({ op, act: { kind: 'none' } }, elementCount(x.dims)), { input: x.name, output: out.name });
    return;
  }
  lowerBinary('pow')(ctx, node);
}

/** Cast between float types is a view; activations are always float32 on the GPU. */
export function lowerCast(ctx: PlanContext, node: Node): void {
  const to = attrInt(node, 'to', 1);
  if (to !== 1 && to !== 10 && to !== 11) throw new Error(`Cast to ONNX type ${to} of a non-constant value is not supported (only float types)`);
  const x = ctx.value(node.inputs[0], node);
  ctx.alias(node.outputs[0], x.name);
}
