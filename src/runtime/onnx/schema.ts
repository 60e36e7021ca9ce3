/**
 * The ONNX protobuf schema, parsed once on first use from the `onnx.proto` text (imported as a string so the same
 * code runs under Vite in the browser and under Node with the `?raw` loader hook).
 */
import protobuf from 'protobufjs';
import protoText from './onnx.proto?raw';

export interface OnnxTypes {
  ModelProto: protobuf.Type;
  TensorProto: protobuf.Type;
}

let types: OnnxTypes | undefined;

/** The message types, parsed lazily. Field names keep ONNX's snake_case (`keepCase`). */
export function onnxTypes(): OnnxTypes {
  if (!types) {
    const root = protobuf.parse(protoText, { keepCase: true }).root;
    types = {
      ModelProto: root.lookupType('onnx.ModelProto'),
      TensorProto: root.lookupType('onnx.TensorProto'),
    };
  }
  return types;
}

/** A protobufjs int64: a `Long` when the `long` package is loadable (Node), a plain number otherwise (browser). */
export type Int64 = number | string | { low: number; high: number; unsigned?: boolean };

/** An int64 field as a JS number (exact up to 2^53, which covers every dim, attribute and opset in practice). */
export function int64ToNumber(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  // Long: high is signed (or unsigned) 32 bits, low is read as unsigned.
  const high = v.unsigned ? v.high >>> 0 : v.high | 0;
  return high * 4294967296 + (v.low >>> 0);
}

/** An int64 field as an exact bigint (int64 tensors keep full range: Slice uses INT64_MAX as "to the end"). */
export function int64ToBigInt(v: Int64 | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  // Without Long (browser) protobufjs rounds beyond 2^53: INT64_MAX arrives as 2^63, so saturate rather than wrap.
  if (typeof v === 'number') return v >= 2 ** 63 ? 2n ** 63n - 1n : v < -(2 ** 63) ? -(2n ** 63n) : BigInt(Math.trunc(v));
  if (typeof v === 'string') return BigInt(v);
  const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return v.unsigned ? bits : BigInt.asIntN(64, bits);
}
