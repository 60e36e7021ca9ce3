/**
 * The plan: what loading a model produces, and all that `run()` touches.
 *
 * Every value of the graph is float-semantic (it stands for the ONNX tensor) but is *stored* in one of two ways:
 * - `f32`: float32, tightly packed;
 * - `q8`: int8 with a per-tensor scale and zero point, four per u32 along the innermost axis, which for 4-D
 *   image tensors is the channel axis of NHWC, padded to a multiple of 4.
 * and in one of two layouts: `nhwc` (4-D image tensors as our kernels like them) or `plain` (ONNX row-major).
 * A DequantizeLinear of an activation is therefore free (the q8 value is retagged), and a kernel that wants another
 * storage or layout asks for a conversion, which the planner inserts once and shares.
 */
import type { KernelSpec } from '../../shaders/kernel.ts';

export type Storage = 'f32' | 'q8';
export type Layout = 'nhwc' | 'plain';

export interface QParams {
  scale: number;
  zeroPoint: number;
}

export interface RtValue {
  /** Unique name: the ONNX value name, or `<name>::<conversion>` for a converted copy. */
  name: string;
  /** ONNX dimension order (NCHW for 4-D), whatever the layout. */
  dims: number[];
  layout: Layout;
  storage: Storage;
  /** Set when storage is q8. */
  q?: QParams;
  /** Size of the GPU buffer in bytes. */
  bytes: number;
}

/** Constant data of the plan (weights, bias, tables): one storage buffer each, uploaded by upload.ts. */
export interface PlanConst {
  /** Index in the plan's `consts` (and in the uploaded buffers). */
  id: number;
  /** Buffer label (`<node>:<binding>`). */
  label: string;
  /** Byte size of the buffer (the contents padded to a multiple of 4, at least 16). */
  size: number;
  /** Hash of the contents (constDigest), so plans stay comparable after the bytes are released. */
  digest: string;
  /**
   * The buffer's contents, padded to `size`. A session releases them once uploaded (releaseConstBytes): the GPU
   * holds the weights, and a second JS copy would double the memory a loaded model costs.
   */
  bytes?: Uint8Array<ArrayBuffer>;
}

/** One dispatch of the plan. Buffers are referred to by value name (activations) or by plan constant (weights). */
export interface PlanStep {
  spec: KernelSpec;
  /** ONNX node(s) this step implements, for describePlan and profiles. */
  node: string;
  op: string;
  precision: string;
  /** Binding name -> activation value name. */
  values: Record<string, string>;
  /** Binding name -> constant (weights, bias, lookup tables), owned by the plan and uploaded once. */
  constants: Record<string, PlanConst>;
  weightBytes: number;
  /** How the kernel was picked (integer convs): family, tuned or default, analytic MAC per global byte. */
  choice?: KernelChoice;
  /** Kernels with the same bindings and results that the plan-time tuner may time and swap in. */
  alternatives?: StepAlternatives;
}

export interface KernelChoice {
  /** Kernel family and tile, e.g. `smem 64x128 bk8 packed`. */
  family: string;
  tuned: boolean;
  /** Analytic multiply-accumulates per byte loaded from global memory (conv2d_int_traffic.ts). */
  macPerByte: number;
}

export interface StepAlternatives {
  /** Autotuner cache slot: kernel family + epilogue, and the layer shape. */
  cacheFamily: string;
  shapeKey: string;
  /** Every candidate (the current spec included), built on demand. `label` is what the cache stores. */
  candidates: () => { label: string; spec: KernelSpec; choice: KernelChoice }[];
}

/** Dimensions as NHWC when the value is stored nhwc (for kernels), else as given. */
export function storedDims(v: RtValue): number[] {
  if (v.layout !== 'nhwc') return v.dims;
  const [n, c, h, w] = v.dims;
  return [n, h, w, c];
}

/** Bytes of a value with these dims/storage/layout. q8 pads the innermost stored axis to 4. */
export function valueBytes(dims: number[], storage: Storage, layout: Layout): number {
  const stored = layout === 'nhwc' ? [dims[0], dims[2], dims[3], dims[1]] : dims;
  if (storage === 'f32') return Math.max(4, stored.reduce((a, b) => a * b, 1) * 4);
  const inner = stored.length ? stored[stored.length - 1] : 1;
  const outer = stored.slice(0, -1).reduce((a, b) => a * b, 1);
  return Math.max(4, outer * Math.ceil(inner / 4) * 4);
}

/**
 * 64-bit digest (two 32-bit multiply-xor lanes over the 32-bit words) of a constant's padded contents: identifies
 * the bytes in plan comparisons and descriptions once a session has released them. Not cryptographic; one pass,
 * about 0.1 s for ResNet-50's 97 MiB of f32 weights (measured on a shared 2-core machine).
 */
export function constDigest(bytes: Uint8Array<ArrayBuffer>): string {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
  let a = 0x811c9dc5 ^ bytes.byteLength;
  let b = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    a = Math.imul(a ^ w, 0x01000193);
    b = Math.imul(b ^ w, 0x85ebca6b) ^ (b >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
