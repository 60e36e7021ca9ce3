/** Shape rules of elementwise ops: unary activations, broadcasting binaries, Clip, Cast, BN, Softmax, Q/DQ. */
import { attrInt, type DType } from '../ir.ts';
import { dtypeFromCode, isFloat } from '../onnx/dtypes.ts';
import { broadcastShapes, type InferCtx, type TensorInfo } from './context.ts';

/** Relu, Sigmoid, Tanh, Sqrt, Exp, Identity, LeakyRelu, HardSigmoid, HardSwish, Softmax: output = input 0. */
export const unary = (c: InferCtx): TensorInfo[] => c.same();

/**
 * Abs, Neg, Ceil, Floor, Round, Reciprocal, Log, Erf: output = input 0. These run only on the GPU (no CPU fold), where
 * every value is float, so an integer input (a shape computation) is refused here rather than misread later.
 */
export function floatUnary(c: InferCtx): TensorInfo[] {
  if (!isFloat(c.in(0).dtype)) c.fail(`${c.node.opType} of ${c.in(0).dtype} is not supported (float tensors only)`);
  return c.same();
}

/**
 * Max, Min: variadic in ONNX; the GPU kernel is binary, so exactly two inputs (same float dtype), broadcast.
 * Refusing 1 or 3+ inputs keeps the lowering from silently dropping operands.
 */
export function minMax(c: InferCtx): TensorInfo[] {
  const n = c.node.inputs.filter((i) => i !== '').length;
  if (n !== 2) c.fail(`${c.node.opType} with ${n} inputs is not supported (exactly 2)`);
  if (!isFloat(c.in(0).dtype)) c.fail(`${c.node.opType} of ${c.in(0).dtype} is not supported (float tensors only)`);
  return binary(c);
}

/** Add, Sub, Mul, Div (same dtypes) and Pow (dtype of the base): numpy broadcasting. */
export function binary(c: InferCtx): TensorInfo[] {
  const a = c.in(0);
  const b = c.in(1);
  if (c.node.opType !== 'Pow' && a.dtype !== b.dtype) c.fail(`input dtypes differ: ${a.dtype} and ${b.dtype}`);
  return [{ dtype: a.dtype, shape: broadcastShapes([a.shape, b.shape], (m) => c.fail(m)) }];
}

/** Clip: min/max are attributes before opset 11, optional scalar inputs from 11 on. */
export function clip(c: InferCtx): TensorInfo[] {
  for (const i of [1, 2]) {
    if (c.has(i) && c.in(i).shape.length !== 0 && c.in(i).shape.some((d) => d !== 1)) {
      c.fail(`${i === 1 ? 'min' : 'max'} must be a scalar, got [${c.in(i).shape}]`);
    }
  }
  return c.same();
}

/** Cast: shape of the input, dtype from `to`. */
export function cast(c: InferCtx): TensorInfo[] {
  const code = attrInt(c.node, 'to', 0);
  const dtype = dtypeFromCode(code);
  if (!dtype || dtype === 'string') c.fail(`cannot cast to data type ${code}`);
  return [{ dtype, shape: [...c.in(0).shape] }];
}

/** Softmax, LogSoftmax: opset < 13 flattens at `axis` (default 1), 13+ works along `axis` (default -1); shape unchanged. */
export function softmax(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  c.axis(attrInt(c.node, 'axis', c.opset < 13 ? 1 : -1), Math.max(x.shape.length, 1));
  return c.same();
}

/** BatchNormalization (inference form): Y has X's shape; scale/B/mean/var are [C]. Training outputs are not produced. */
export function batchNorm(c: InferCtx): TensorInfo[] {
  const x = c.in(0);
  if (x.shape.length < 2) c.fail('X needs rank >= 2');
  const ch = x.shape[1];
  for (let i = 1; i <= 4; i++) {
    const s = c.in(i).shape;
    if (s.length !== 1 || s[0] !== ch) c.fail(`input ${i} must have shape [${ch}], got [${s}]`);
  }
  if (c.node.outputs.filter((o) => o !== '').length > 1) c.fail('training-mode outputs (running mean/var) are not supported');
  // opsets 7-8: `spatial` = 0 normalizes per element ([C, H, W] statistics): not supported. opsets < 7 are refused
  // at load (is_test, consumed_inputs).
  if (attrInt(c.node, 'spatial', 1) !== 1) c.fail('spatial = 0 (per-element statistics) is not supported');
  if (attrInt(c.node, 'training_mode', 0) !== 0) c.fail('training_mode = 1 is not supported');
  return c.same();
}

/** Checks a Q/DQ scale: scalar (per-tensor), or 1-D along `axis` (per-channel), or blocked (opset 21). */
function checkQuantParams(c: InferCtx): void {
  const x = c.in(0);
  const s = c.in(1).shape;
  if (c.has(2) && c.in(2).shape.join() !== s.join()) c.fail(`zero point shape [${c.in(2).shape}] differs from scale's [${s}]`);
  const blocked = attrInt(c.node, 'block_size', 0) > 0;
  if (s.length === 0 || (s.length === 1 && s[0] === 1) || blocked) return;
  if (s.length !== 1) c.fail(`scale must be a scalar or 1-D, got [${s}]`);
  const axis = c.axis(attrInt(c.node, 'axis', 1), x.shape.length);
  if (s[0] !== x.shape[axis]) c.fail(`per-axis scale has ${s[0]} values, axis ${axis} has ${x.shape[axis]}`);
}

/** QuantizeLinear: dtype of the zero point, else `output_dtype` (opset 21), else uint8. */
export function quantize(c: InferCtx): TensorInfo[] {
  checkQuantParams(c);
  let dtype: DType = 'uint8';
  if (c.has(2)) dtype = c.in(2).dtype;
  else if (attrInt(c.node, 'output_dtype', 0)) dtype = dtypeFromCode(attrInt(c.node, 'output_dtype', 0)) ?? 'uint8';
  return [{ dtype, shape: [...c.in(0).shape] }];
}

/** DequantizeLinear: float32 (float16 scales are widened on load), shape of the input. */
export function dequantize(c: InferCtx): TensorInfo[] {
  checkQuantParams(c);
  return [{ dtype: 'float32', shape: [...c.in(0).shape] }];
}

/** Dropout (inference): output 0 is the input; the optional mask is all true. Removed by eliminateIdentity. */
export function dropout(c: InferCtx): TensorInfo[] {
  if (c.opset >= 12 && c.has(2)) {
    const t = c.value(2, 'training_mode');
    if (Number(t.data[0])) c.fail('training_mode = true is not supported');
  }
  const x = c.in(0);
  return [{ ...x, shape: [...x.shape] }, { dtype: 'bool', shape: [...x.shape] }];
}
