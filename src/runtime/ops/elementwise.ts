/**
 * Elementwise ops: binary arithmetic with broadcasting (Add, Sub, Mul, Div, Pow), activations, and int8 Add/Mul
 * for QDQ models. They run in the layout of their 4-D inputs (NHWC when an input is NHWC and every operand can be
 * seen in NHWC order without moving data), so a conv -> Mul -> conv chain never transposes.
 */
import { type Activation } from '../../shaders/activation.ts';
import { type BinaryOp, binaryKernel } from '../../shaders/binary.ts';
import { eltwiseInt8Kernel, eltwiseInt8Table } from '../../shaders/eltwise_int8.ts';
import { requantizeKernel } from '../../shaders/requantize.ts';
import { unaryKernel } from '../../shaders/unary.ts';
import { type Node, elementCount } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';
import { type Layout, type PlanConst, storedDims } from '../plan/types.ts';
import { activationOf } from '../fuse/activation-fusion.ts';
import { quantizedConsumer } from './qdq.ts';
import { activationClamp } from '../../shaders/pack-int.ts';
import { type Operand, dimsOf, nhwcCompatible, operand, permuteToNhwc, toNhwcDims } from './operands.ts';

function chooseLayout(ops: Operand[], outDims: number[]): Layout {
  if (outDims.length !== 4) return 'plain';
  const anyNhwc = ops.some((o) => o.kind === 'value' && o.v.dims.length === 4 && o.v.layout === 'nhwc');
  if (!anyNhwc) return 'plain';
  const ok = ops.every((o) => (o.kind === 'value' ? o.v.dims.length === 4 || nhwcCompatible(o.v.dims) : nhwcCompatible(o.dims)));
  return ok ? 'nhwc' : 'plain';
}

export function lowerBinary(op: BinaryOp) {
  return (ctx: PlanContext, node: Node): void => {
    const outDims = dimsOf(ctx, node.outputs[0], node);
    if ((op === 'add' || op === 'mul') && tryInt8Binary(ctx, node, op, outDims)) return;
    const ops = node.inputs.slice(0, 2).map((n) => operand(ctx, n, node));
    const layout = chooseLayout(ops, outDims);
    const bind: Record<string, string> = {};
    const consts: Record<string, PlanConst> = {};
    const shapes: number[][] = [];
    ops.forEach((o, i) => {
      const binding = i === 0 ? 'a' : 'b';
      if (o.kind === 'value') {
        const v = ctx.as(o.v.name, { storage: 'f32', layout }, node);
        bind[binding] = v.name;
        shapes.push(layout === 'nhwc' ? (v.dims.length === 4 ? storedDims(v) : toNhwcDims(v.dims)) : v.dims);
      } else {
        const nhwc = layout === 'nhwc';
        consts[binding] = ctx.constBuffer(`${node.name}:${binding}`, nhwc ? permuteToNhwc(o.data, o.dims) : o.data, false);
        shapes.push(nhwc ? toNhwcDims(o.dims) : o.dims);
      }
    });
    const out = ctx.define(node.outputs[0], outDims, layout, 'f32');
    const act = node.fused?.activation;
    const spec = binaryKernel(act ? { op, act } : { op }, shapes[0], shapes[1]);
    ctx.step(node, node.opType, spec, { ...bind, output: out.name }, consts);
  };
}

/** Add/Mul of two int8 values whose result goes straight into a QuantizeLinear: one integer kernel. */
function tryInt8Binary(ctx: PlanContext, node: Node, op: 'add' | 'mul', outDims: number[]): boolean {
  const [a, b] = node.inputs.map((n) => (ctx.initializer(n) ? undefined : ctx.value(n, node)));
  if (!a || !b || a.storage !== 'q8' || b.storage !== 'q8' || outDims.length !== 4) return false;
  if (a.dims.join() !== outDims.join() || b.dims.join() !== outDims.join()) return false;
  const target = quantizedConsumer(ctx, node.outputs[0]);
  if (!target) return false;
  const act = node.fused?.activation;
  if (act && act.kind !== 'relu') return false;
  // Add -> Relu -> QuantizeLinear (residual blocks of QDQ models, fuse/qdq-add-relu.ts): the ReLU is the clamp.
  const clamp = act ? { qmin: target.q.zeroPoint, qmax: 127 } : undefined;
  const out = ctx.define(node.outputs[0], outDims, 'nhwc', 'q8', target.q);
  const p = { op, a: a.q!, b: b.q!, output: target.q, ...clamp };
  const spec = eltwiseInt8Kernel(p, storedDims(a), storedDims(b));
  const table = ctx.constBuffer(`${node.name}:table`, eltwiseInt8Table(p), false);
  ctx.step(node, node.opType, spec, { a: a.name, b: b.name, output: out.name }, { table }, 'int8');
  return true;
}

/** Activation ops. On int8 input, ReLU/Clip are clamps at the same scale (requantize with a range). */
export function lowerActivation(ctx: PlanContext, node: Node): void {
  const act: Activation | undefined = node.opType === 'SiLU' ? { kind: 'silu' } : activationOf(ctx.graph, node);
  if (!act) throw new Error('activation parameters must be constants');
  const x = ctx.value(node.inputs[0], node);
  if (x.storage === 'q8' && (act.kind === 'relu' || act.kind === 'clip')) {
    const q = x.q!;
    // ReLU / Clip of DequantizeLinear(x) before a QuantizeLinear at the same parameters: a clamp of the codes
    // at the bounds quantized as ONNX does (exact, QuantizeLinear is monotonic).
    const { qLo: qmin, qHi: qmax } = activationClamp(act, q.scale, q.zeroPoint);
    const out = ctx.define(node.outputs[0], x.dims, x.layout, 'q8', q);
    ctx.step(node, node.opType, requantizeKernel({ input: q, output: q, qmin, qmax }, out.bytes / 4), { input: x.name, output: out.name }, {}, 'int8');
    return;
  }
  const v = ctx.as(x.name, { storage: 'f32' }, node);
  const out = ctx.define(node.outputs[0], v.dims, v.layout, 'f32');
  ctx.step(node, node.opType, unaryKernel({ act }, elementCount(v.dims)), { input: v.name, output: out.name });
}
