/**
 * The state of planning one graph: values with their storage and layout, the steps emitted so far, the constants
 * to upload, and the conversions between storages/layouts (inserted once per value and shared by every reader).
 * Pure CPU: it knows the device only as a `PlanTarget` (caps and limits) and never touches a GPU; constants are
 * recorded as bytes and uploaded by `uploadConstants` (upload.ts) once the plan is built.
 */
import type { PlanTarget } from '../../gpu/profiles.ts';
import type { DeviceCaps, KernelSpec } from '../../shaders/kernel.ts';
import type { Conv2dF32Variant } from '../../shaders/conv2d_f32.ts';
import { type Graph, ModelError, type Node, type TensorData } from '../ir.ts';
import type { PrecisionConfig } from '../precision.ts';
import { convertValue } from './convert.ts';
import { type Layout, type PlanConst, type PlanStep, type QParams, type RtValue, type Storage, constDigest, valueBytes } from './types.ts';

/** A weight that a DequantizeLinear turns into float: kept quantized so integer kernels can use it as is. */
export interface QuantizedConst {
  /** Quantized values, one per element (int4 unpacked), in the initializer's dims order. */
  q: Int8Array | Uint8Array | Int32Array;
  dims: number[];
  scale: Float32Array;
  zeroPoint: Int32Array;
  /** Axis of per-axis scales (-1 when per tensor). */
  axis: number;
  /** Block size along `axis`... for blocked (per-group) quantization, else 0. */
  blockSize: number;
  bits: 4 | 8 | 32;
}

export interface Want {
  layout?: Layout;
  storage?: Storage;
  q?: QParams;
}

export class PlanContext {
  readonly values = new Map<string, RtValue>();
  /** Value name -> name of the value whose buffer it shares (Reshape, DequantizeLinear of activations). */
  readonly aliases = new Map<string, string>();
  readonly steps: PlanStep[] = [];
  /** Constants to upload (weights, bias, tables), in the order they were declared; `PlanConst.id` indexes it. */
  readonly consts: PlanConst[] = [];
  readonly quantizedConsts = new Map<string, QuantizedConst>();
  weightBytes = 0;
  private readonly conversions = new Map<string, string>();

  /**
   * `variants`: float conv variants chosen by plan-time tuning, by node name (see tune-plan.ts): the tuned choices
   * the plan depends on besides the graph, the precision config and the target.
   */
  constructor(readonly target: PlanTarget, readonly graph: Graph, readonly config: PrecisionConfig | undefined,
    readonly variants: ReadonlyMap<string, Conv2dF32Variant> = new Map()) {}

  get caps(): DeviceCaps {
    return this.target.caps;
  }

  value(name: string, node?: Node): RtValue {
    const v = this.values.get(name);
    if (!v) throw new ModelError(`input '${name}' has not been computed`, node?.name, node?.opType);
    return v;
  }

  /** The value that owns the buffer `name` lives in. */
  root(name: string): string {
    return this.aliases.get(name) ?? name;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  initializer(name: string): TensorData | undefined {
    return name ? this.graph.initializers.get(name) : undefined;
  }

  /** Declares a value produced by a step. */
  define(name: string, dims: number[], layout: Layout, storage: Storage, q?: QParams): RtValue {
    if (storage === 'q8' && !q) throw new Error(`quantgpu: q8 value ${name} needs quantization parameters`);
    const v: RtValue = { name, dims, layout: dims.length === 4 ? layout : 'plain', storage, q, bytes: valueBytes(dims, storage, dims.length === 4 ? layout : 'plain') };
    checkLimits(this.target, `tensor '${name}' (${storage} [${dims}])`, v.bytes);
    this.values.set(name, v);
    return v;
  }

  /** A value that shares `of`'s buffer (no copy), possibly with other dims (same bytes). */
  alias(name: string, of: string, dims?: number[]): RtValue {
    const src = this.values.get(of)!;
    const v: RtValue = { ...src, name, dims: dims ?? src.dims };
    if (dims) v.layout = dims.length === 4 ? src.layout : 'plain';
    this.values.set(name, v);
    this.aliases.set(name, this.aliases.get(of) ?? of);
    return v;
  }

  /** The value `name` in the storage/layout a kernel wants, converting (once) if needed. */
  as(name: string, want: Want, node?: Node): RtValue {
    const v = this.value(name, node);
    const storage = want.storage ?? v.storage;
    // 4-D int8 is always NHWC (channels packed); non-4-D values have no layout choice.
    const layout = v.dims.length !== 4 ? 'plain' : storage === 'q8' ? 'nhwc' : (want.layout ?? v.layout);
    const q = storage === 'q8' ? (want.q ?? v.q) : undefined;
    if (storage === 'q8' && !q) throw new ModelError(`value '${name}' has no quantization parameters for int8`, node?.name, node?.opType);
    const same = layout === v.layout && storage === v.storage && (storage === 'f32' || sameQ(q!, v.q!));
    if (same) return v;
    if (storage === v.storage && storage === 'f32' && layoutFree(v)) {
      // NCHW and NHWC are the same bytes (H = W = 1 or C = 1): a view, not a copy.
      const key = `${name}|${layout}`;
      if (!this.conversions.has(key)) {
        const a = this.alias(`${name}::${layout}`, name);
        a.layout = layout;
        this.conversions.set(key, a.name);
      }
      return this.values.get(this.conversions.get(key)!)!;
    }
    const key = `${name}|${layout}|${storage}|${q?.scale}|${q?.zeroPoint}`;
    const done = this.conversions.get(key);
    if (done) return this.values.get(done)!;
    const out = convertValue(this, v, { layout, storage, q });
    this.conversions.set(key, out.name);
    return out;
  }

  /**
   * Declares constant data (weights, bias, tables) for a labeled storage buffer owned by the plan. The bytes are
   * copied (padded to a multiple of 4, at least 16 bytes: what a storage binding needs), so the plan does not
   * depend on the caller's array staying unchanged.
   */
  constBuffer(label: string, data: ArrayBufferView, countAsWeights = true): PlanConst {
    const size = Math.max(16, Math.ceil(data.byteLength / 4) * 4);
    checkLimits(this.target, `constant '${label}'`, size);
    const bytes = new Uint8Array(size);
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const c: PlanConst = { id: this.consts.length, label, size, digest: constDigest(bytes), bytes };
    this.consts.push(c);
    if (countAsWeights) this.weightBytes += data.byteLength;
    return c;
  }

  /** Appends a step. `values` maps binding names to value names; `constants` binding names to plan constants. */
  step(node: Node | string, op: string, spec: KernelSpec, values: Record<string, string>, constants: Record<string, PlanConst> = {},
    precision = 'fp32', weightBytes = 0, pick: Pick<PlanStep, 'choice' | 'alternatives'> = {}): void {
    const nodeName = typeof node === 'string' ? node : fusedName(node);
    const maxGroups = this.target.limits.maxComputeWorkgroupsPerDimension;
    if (spec.dispatch.some((d) => d > maxGroups)) {
      throw new ModelError(`kernel ${spec.name} needs [${spec.dispatch}] workgroups; the device allows ${maxGroups} per dimension ` +
        `(maxComputeWorkgroupsPerDimension)`, nodeName, op);
    }
    const roots = Object.fromEntries(Object.entries(values).map(([b, v]) => [b, this.root(v)]));
    this.steps.push({ spec, node: nodeName, op, precision, values: roots, constants, weightBytes, ...pick });
  }
}

/**
 * Refuses, at plan time, a buffer that the device cannot bind (every activation and constant is bound as a storage
 * buffer): WebGPU would only log a validation error and the run would return zeros.
 */
function checkLimits(target: PlanTarget, what: string, bytes: number): void {
  const { maxStorageBufferBindingSize: binding, maxBufferSize: buffer } = target.limits;
  const [limit, name] = binding <= buffer ? [binding, 'maxStorageBufferBindingSize'] : [buffer, 'maxBufferSize'];
  if (bytes > limit) {
    throw new ModelError(`${what} needs ${bytes} bytes; the device allows ${limit} bytes (${name}). ` +
      `Plan a smaller input (batch or image size) or use a device with larger limits`);
  }
}

/** True if a 4-D f32 value has the same bytes in NCHW and NHWC order. */
export function layoutFree(v: RtValue): boolean {
  if (v.dims.length !== 4) return true;
  const [, c, h, w] = v.dims;
  return h * w === 1 || c === 1;
}

export function sameQ(a: QParams, b: QParams): boolean {
  return a.zeroPoint === b.zeroPoint && Math.fround(a.scale) === Math.fround(b.scale);
}

function fusedName(n: Node): string {
  return n.fused ? n.fused.names.join('+') : n.name;
}
