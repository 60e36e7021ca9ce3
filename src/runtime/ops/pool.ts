/** MaxPool, AveragePool, GlobalAveragePool on NHWC f32, and on int8 where the result stays exact or is requantized. */
import { globalAvgPoolInt8Kernel, globalAvgPoolKernel, poolInt8Kernel, poolKernel } from '../../shaders/pool.ts';
import { type Node, attrInt, attrInts } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';
import { windowOf } from './geometry.ts';
import { dimsOf } from './operands.ts';
import { quantizedConsumer } from './qdq.ts';

export function lowerPool(ctx: PlanContext, node: Node): void {
  const x = ctx.value(node.inputs[0], node);
  if (x.dims.length !== 4) throw new Error(`only 2-D pooling is supported; input has shape [${x.dims}]`);
  const [n, c, h, w] = x.dims;
  const kind = node.opType === 'MaxPool' ? 'max' : 'avg';
  if (node.outputs[1]) throw new Error('MaxPool indices output is not supported');
  const kernel = attrInts(node, 'kernel_shape', []);
  if (kernel.length !== 2) throw new Error(`kernel_shape [${kernel}] must have 2 values`);
  const win = windowOf(node, h, w, kernel);
  const params = { kind, ...win, ceilMode: attrInt(node, 'ceil_mode', 0) === 1, countIncludePad: attrInt(node, 'count_include_pad', 0) === 1 } as const;
  const outDims = dimsOf(ctx, node.outputs[0], node);
  const shape = { n, h, w, c };
  // Max pooling commutes with the (monotone) dequantization: int8 in, int8 out at the same scale, exactly.
  if (x.storage === 'q8' && kind === 'max') {
    const out = ctx.define(node.outputs[0], outDims, 'nhwc', 'q8', x.q);
    ctx.step(node, node.opType, poolInt8Kernel(params, shape, x.q!), { input: x.name, output: out.name }, {}, 'int8');
    return;
  }
  const v = ctx.as(x.name, { layout: 'nhwc', storage: 'f32' }, node);
  const out = ctx.define(node.outputs[0], outDims, 'nhwc', 'f32');
  ctx.step(node, node.opType, poolKernel(params, shape), { input: v.name, output: out.name });
}

export function lowerGlobalAveragePool(ctx: PlanContext, node: Node): void {
  const x = ctx.value(node.inputs[0], node);
  if (x.dims.length !== 4) throw new Error(`input has shape [${x.dims}], expected 4-D`);
  const [n, c, h, w] = x.dims;
  const shape = { n, h, w, c };
  const outDims = [n, c, 1, 1];
  const target = x.storage === 'q8' ? quantizedConsumer(ctx, node.outputs[0]) : undefined;
  if (target) {
    const out = ctx.define(node.outputs[0], outDims, 'nhwc', 'q8', target.q);
    ctx.step(node, node.opType, globalAvgPoolInt8Kernel(shape, x.q!, target.q), { input: x.name, output: out.name }, {}, 'int8');
    return;
  }
  const v = ctx.as(x.name, { layout: 'nhwc', storage: 'f32' }, node);
  const out = ctx.define(node.outputs[0], outDims, 'nhwc', 'f32');
  ctx.step(node, node.opType, globalAvgPoolKernel(shape), { input: v.name, output: out.name });
}
