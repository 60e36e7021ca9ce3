/** Reading constant inputs of a node as host arrays, with errors that name the node. */
import { type Node, ModelError } from '../ir.ts';
import type { PlanContext } from '../plan/context.ts';

/** A float constant: an initializer, or a DequantizeLinear of one (dequantized here, on the CPU). */
export function floatConst(ctx: PlanContext, name: string, node: Node): Float32Array {
  const t = ctx.initializer(name);
  if (t) {
    if (t.data instanceof BigInt64Array) return Float32Array.from(t.data, Number);
    return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
  }
  const q = ctx.quantizedConsts.get(name);
  if (q) return dequantizeConst(q);
  throw new ModelError(`input '${name}' must be a constant`, node.name, node.opType);
}

/** (q - zp) * scale with per-tensor, per-axis or blocked parameters. */
export function dequantizeConst(q: import('../plan/context.ts').QuantizedConst): Float32Array {
  const out = new Float32Array(q.q.length);
  const dims = q.dims;
  const axis = q.axis < 0 ? -1 : q.axis;
  const inner = axis < 0 ? 1 : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const axisLen = axis < 0 ? 1 : dims[axis];
  for (let i = 0; i < out.length; i++) {
    let p = 0;
    if (axis >= 0) {
      const a = Math.floor(i / inner) % axisLen;
      if (q.blockSize > 0) {
        const outer = Math.floor(i / (inner * axisLen));
        const blocks = Math.ceil(axisLen / q.blockSize);
        p = (outer * blocks + Math.floor(a / q.blockSize)) * inner + (i % inner);
      } else p = a;
    }
    out[i] = Math.fround((q.q[i] - q.zeroPoint[p]) * q.scale[p]);
  }
  return out;
}
