/**
 * Ops that only change how a buffer is viewed: Reshape, Flatten, Squeeze, Unsqueeze, Identity. They alias their
 * input (no copy) once it is in row-major (plain) order; a 4-D NHWC input is transposed to plain first unless
 * both orders are the same bytes (H = W = 1, e.g. after GlobalAveragePool).
 */
import type { Node } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';
import type { RtValue } from '../plan/types.ts';

function outDims(ctx: PlanContext, node: Node): number[] {
  const info = ctx.graph.valueInfo.get(node.outputs[0]);
  if (!info || info.shape.some((d) => typeof d !== 'number')) {
    throw new Error(`output shape of '${node.outputs[0]}' is unknown (shape inference could not fix it)`);
  }
  return info.shape as number[];
}

/** True if an NHWC value has the same bytes as its plain (NCHW) form (q8 pads channels, so C = 1 does not count). */
function layoutFree(v: RtValue): boolean {
  if (v.dims.length !== 4) return true;
  const [, c, h, w] = v.dims;
  return h * w === 1 || (c === 1 && v.storage === 'f32');
}

export function lowerView(ctx: PlanContext, node: Node): void {
  const x = ctx.value(node.inputs[0], node);
  const dims = outDims(ctx, node);
  if (x.storage === 'q8' && !(x.layout === 'nhwc' && layoutFree(x)) && x.dims.length > 1 && dims.length > 1 &&
      x.dims[x.dims.length - 1] !== dims[dims.length - 1]) {
    // Packed int8 pads the innermost axis: a reshape that changes it needs float.
    const f = ctx.as(x.name, { storage: 'f32', layout: 'plain' }, node);
    ctx.alias(node.outputs[0], f.name, dims);
    return;
  }
  const src = x.layout === 'nhwc' && !layoutFree(x) ? ctx.as(x.name, { layout: 'plain' }, node) : x;
  ctx.alias(node.outputs[0], src.name, dims);
  // A 4-D result of a view is row-major (plain), whatever the source was.
  const v = ctx.values.get(node.outputs[0])!;
  if (dims.length === 4 && !(src.layout === 'nhwc' && layoutFree({ ...src, dims }))) v.layout = 'plain';
}
