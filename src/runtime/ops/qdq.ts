/**
 * QDQ models: QuantizeLinear / DequantizeLinear.
 * - DequantizeLinear of a constant (weights, bias) keeps the quantized values: integer kernels use them as they
 *   are (`ctx.quantizedConsts`), float kernels dequantize them once on the CPU.
 * - DequantizeLinear of an activation is free: the int8 value is retagged as the float it stands for.
 * - QuantizeLinear materializes an int8 value at its scale / zero point, or is free when the producer already
 *   wrote exactly that (a conv whose only consumer is this QuantizeLinear writes int8 directly).
 * uint8 activations (onnxruntime's default) are stored as int8 with the zero point shifted by 128: the same reals.
 */
import { type Node, ModelError, attrInt } from '../ir.ts';
import { type PlanContext, type QuantizedConst, sameQ } from '../plan/context.ts';
import type { QParams } from '../plan/types.ts';
import { consumersOf } from '../fuse/graph-util.ts';

/** Per-tensor parameters of a Q/DQ node (scale and zero point constants), mapped to int8 storage. */
export function nodeQParams(ctx: PlanContext, node: Node): QParams | undefined {
  const s = ctx.initializer(node.inputs[1]);
  if (!s || s.data.length !== 1) return undefined;
  const zp = node.inputs[2] ? ctx.initializer(node.inputs[2]) : undefined;
  if (node.inputs[2] && !zp) return undefined;
  const dtype = zp?.dtype ?? 'uint8';
  if (dtype !== 'int8' && dtype !== 'uint8') return undefined;
  const z = zp ? Number(zp.data[0]) : 0;
  return { scale: Number(s.data[0]), zeroPoint: dtype === 'uint8' ? z - 128 : z };
}

export interface QuantTarget {
  q: QParams;
  node: Node;
  clamp?: { qmin: number; qmax: number };
}

/** If `value`'s only reader is a per-tensor int8/uint8 QuantizeLinear, its parameters. */
export function quantizedConsumer(ctx: PlanContext, value: string): QuantTarget | undefined {
  if (ctx.graph.outputs.some((o) => o.name === value)) return undefined;
  const users = consumersOf(ctx.graph, value);
  if (users.length !== 1 || users[0].opType !== 'QuantizeLinear') return undefined;
  const q = nodeQParams(ctx, users[0]);
  return q ? { q, node: users[0] } : undefined;
}

export function lowerQuantize(ctx: PlanContext, node: Node): void {
  const q = nodeQParams(ctx, node);
  if (!q) throw new Error('only per-tensor int8/uint8 QuantizeLinear of activations is supported (constant scale and zero point)');
  const x = ctx.value(node.inputs[0], node);
  if (x.storage === 'q8' && sameQ(x.q!, q)) {
    ctx.alias(node.outputs[0], x.name);
    return;
  }
  const v = ctx.as(x.name, { storage: 'q8', q }, node);
  ctx.alias(node.outputs[0], v.name);
}

export function lowerDequantize(ctx: PlanContext, node: Node): void {
  const init = ctx.initializer(node.inputs[0]);
  if (init) {
    ctx.quantizedConsts.set(node.outputs[0], quantizedConst(ctx, node));
    return;
  }
  const x = ctx.value(node.inputs[0], node);
  if (x.storage !== 'q8') throw new Error(`input '${x.name}' is not int8`);
  const q = nodeQParams(ctx, node);
  if (!q || !sameQ(q, x.q!)) {
    throw new Error(`DequantizeLinear parameters differ from the QuantizeLinear that produced '${x.name}'`);
  }
  ctx.alias(node.outputs[0], x.name);
}

function quantizedConst(ctx: PlanContext, node: Node): QuantizedConst {
  const x = ctx.initializer(node.inputs[0])!;
  const s = ctx.initializer(node.inputs[1]);
  if (!s) throw new ModelError('scale must be a constant', node.name, node.opType);
  const zp = node.inputs[2] ? ctx.initializer(node.inputs[2]) : undefined;
  const bits = x.dtype === 'int4' || x.dtype === 'uint4' ? 4 : x.dtype === 'int32' ? 32 : 8;
  if (!['int8', 'uint8', 'int4', 'uint4', 'int32'].includes(x.dtype)) {
    throw new ModelError(`cannot dequantize a constant of type ${x.dtype}`, node.name, node.opType);
  }
  const rank = x.dims.length;
  let axis = s.data.length === 1 ? -1 : attrInt(node, 'axis', 1);
  if (axis < -1 || (axis < 0 && s.data.length !== 1)) axis += rank;
  const blockSize = attrInt(node, 'block_size', 0);
  const scale = Float32Array.from(s.data as ArrayLike<number>);
  const zeroPoint = zp ? Int32Array.from(zp.data as ArrayLike<number>, Number) : new Int32Array(scale.length);
  return { q: x.data as Int8Array | Uint8Array | Int32Array, dims: x.dims, scale, zeroPoint, axis, blockSize, bits: bits as 4 | 8 | 32 };
}
