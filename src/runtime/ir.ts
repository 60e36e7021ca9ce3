/**
 * The in-memory graph that every part of the runtime works on, independent of protobuf.
 * Parsed from ONNX (`onnx/load.ts`), rewritten by graph passes, written back to ONNX (`onnx/save.ts`).
 *
 * Dimension order is ONNX's (NCHW for images). The GPU layout (NHWC) is the planner's business, not the IR's.
 */
import type { Activation } from '../shaders/activation.ts';

export type DType =
  | 'float32' | 'float16' | 'float64'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'int4' | 'uint4' | 'bool' | 'string';

/**
 * Host tensor data. Storage per dtype: float32/float16/float64 -> Float32Array (float16 and float64 widened/narrowed
 * to f32 on load) ; int8 / int4 -> Int8Array (int4: one value per element, unpacked); uint8 / uint4 / bool ->
 * Uint8Array; int16/int32 -> Int32Array; uint16/uint32 -> Uint32Array; int64 / uint64 -> BigInt64Array.
 */
export type TensorStorage = Float32Array | Int8Array | Uint8Array | Int32Array | Uint32Array | BigInt64Array;

export interface TensorData {
  dtype: DType;
  dims: number[];
  data: TensorStorage;
}

/** A dimension is a number, or a symbolic name (e.g. 'batch') before shapes are fixed. */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  dtype: DType;
  shape: Dim[];
}

export type AttrValue =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: number[] }
  | { type: 'floats'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensor'; value: TensorData };

export interface Node {
  /** Unique within the graph (the loader names unnamed nodes `<opType>_<index>`). */
  name: string;
  opType: string;
  /** '' for the default ONNX domain. */
  domain: string;
  /** Input tensor names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** What graph fusion folded into this node (runtime/fuse/); absent on nodes as loaded. */
  fused?: Fused;
}

/** Typed fusion state of a node: never an ONNX attribute, so never written to a model. */
export interface Fused {
  /** Names of the ONNX nodes this node now computes, for describePlan, profiles and config names. */
  names: string[];
  /** The activation applied to the output. */
  activation?: Activation;
  /** The residual input added before the activation (also the node's 4th input). */
  residual?: string;
  /** QDQ models: the int8 residual add after the conv's own QuantizeLinear (runtime/fuse/qdq-residual.ts). */
  qdqResidual?: QdqResidual;
}

/**
 * What `fuseQdqResidual` folds into an integer conv: y = Q2(post(DQ1(Q1(conv)) + skip)), where `post` is the ReLU /
 * Clip chain after the Add and Q2 the QuantizeLinear that reads the fused node's output (it stays a node).
 */
export interface QdqResidual {
  /** The int8 value added (the output of a DequantizeLinear computed before the conv; also the node's 4th input). */
  skip: string;
  /** Q1: the conv's own QuantizeLinear, now part of its epilogue. */
  quantize: Node;
  /** Q2: the QuantizeLinear after the Add and its clamps; its scale is the fused node's output scale. */
  output: Node;
  /** ReLU / Clip activations between the Add and Q2, in order (float32 clamps). */
  post: Activation[];
}

/** The domain of the ops that our graph rewrites make (`SiLU`): a loaded model's node of this domain is refused. */
export const FUSED_DOMAIN = 'quantgpu';

export interface Graph {
  name: string;
  /** Topologically sorted after `load` and after every pass. */
  nodes: Node[];
  initializers: Map<string, TensorData>;
  /** Graph inputs that are not initializers. */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Shapes and dtypes of intermediate values, as far as known (filled by shape inference). */
  valueInfo: Map<string, ValueInfo>;
  /** Opset version of the default domain. */
  opset: number;
  /** Other opset imports (domain -> version), kept for saving. */
  opsetImports?: Record<string, number>;
  producer?: string;
}

/** Thrown for anything wrong with a model: names the node, op and problem. */
export class ModelError extends Error {
  constructor(message: string, readonly node?: string, readonly op?: string) {
    super(node ? `${op ?? 'node'} '${node}': ${message}` : message);
    this.name = 'ModelError';
  }
}

/** An INT attribute; a FLOAT-typed one is accepted only when it holds an integer (ONNX says INT: 1.5 is refused). */
export function attrInt(node: Node, name: string, dflt: number): number {
  const a = node.attrs[name];
  if (!a || (a.type !== 'int' && a.type !== 'float')) return dflt;
  if (!Number.isSafeInteger(a.value)) throw new ModelError(`attribute '${name}' must be an integer, got ${a.value}`, node.name, node.opType);
  return a.value;
}
export function attrFloat(node: Node, name: string, dflt: number): number {
  const a = node.attrs[name];
  return a && (a.type === 'float' || a.type === 'int') ? a.value : dflt;
}
/** An INTS attribute; FLOATS-typed values are accepted only when all are integers. */
export function attrInts(node: Node, name: string, dflt: number[]): number[] {
  const a = node.attrs[name];
  if (!a || (a.type !== 'ints' && a.type !== 'floats')) return dflt;
  const bad = a.value.find((v) => !Number.isSafeInteger(v));
  if (bad !== undefined) throw new ModelError(`attribute '${name}' must hold integers, got [${a.value}]`, node.name, node.opType);
  return a.value;
}
/** A FLOATS attribute (an INTS-typed one is read as floats). */
export function attrFloats(node: Node, name: string, dflt: number[]): number[] {
  const a = node.attrs[name];
  return a && (a.type === 'ints' || a.type === 'floats') ? a.value : dflt;
}
export function attrString(node: Node, name: string, dflt: string): string {
  const a = node.attrs[name];
  return a && a.type === 'string' ? a.value : dflt;
}
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
