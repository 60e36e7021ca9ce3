/**
 * The contract between a WGSL kernel and the rest of quantgpu.
 *
 * A kernel is a `.wgsl` file plus a pure builder `(params, caps) -> KernelSpec`. The builder never touches the
 * GPU: the runtime (plan time) and the tests turn a spec into a pipeline and a bind group. Every storage or
 * uniform variable of the shader is listed in `bindings`, in `@binding` order of `@group(0)`; a test reads every
 * shader with wgsl_reflect and checks it against this list.
 */

/** What a kernel variant may depend on from the device. Built once per device in `src/gpu/device.ts`. */
export interface DeviceCaps {
  /** `shader-f16` is enabled on the device. */
  f16: boolean;
  /** WGSL `packed_4x8_integer_dot_product` (dot4I8Packed) is available. */
  packedDot: boolean;
  subgroups: boolean;
  timestamps: boolean;
  /** Software rasteriser/compute (SwiftShader, lavapipe, WARP): workgroup barriers are very expensive there. */
  software: boolean;
  /** Stable identity of the adapter, used to key the autotuner's cache. */
  adapterKey: string;
  maxWorkgroupStorage: number;
  maxInvocations: number;
  maxStorageBufferBindingSize: number;
}

export type BindingKind = 'read-only-storage' | 'storage' | 'uniform';

export interface BindingSpec {
  /** The WGSL variable name, e.g. `input`, `weights`, `output`, `u`. */
  name: string;
  kind: BindingKind;
}

/** Everything needed to create the pipeline and dispatch one kernel. */
export interface KernelSpec {
  /** Kernel family, e.g. `conv2d_w8a8`. */
  name: string;
  /** `name` + stable serialization of the params that shaped `code`/`constants`: the pipeline cache key. */
  key: string;
  code: string;
  entryPoint: string;
  /** Values of WGSL `override` constants. */
  constants: Record<string, number>;
  bindings: BindingSpec[];
  /** Number of workgroups in x, y, z. */
  dispatch: [number, number, number];
  /** Contents of the binding named `u` (kind `uniform`), if the kernel has one. */
  uniforms?: Uint32Array<ArrayBuffer>;
}

/** JSON with object keys sorted, so that equal params always give equal keys. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) return JSON.stringify(Array.from(value as unknown as ArrayLike<number>));
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}

/** The one way to make a cache key: never assemble keys by hand. */
export function kernelKey(name: string, params: unknown): string {
  return `${name}:${stableStringify(params)}`;
}

export type UniformField = ['u32' | 'i32' | 'f32', number];

/**
 * Packs 4-byte scalars in declaration order (matching a WGSL struct of u32/i32/f32 fields only, which has no
 * padding) and pads the result to 16 bytes.
 */
export function packUniforms(fields: UniformField[]): Uint32Array<ArrayBuffer> {
  const words = Math.max(4, Math.ceil(fields.length / 4) * 4);
  const buf = new ArrayBuffer(words * 4);
  const view = new DataView(buf);
  fields.forEach(([type, v], i) => {
    if (type === 'f32') view.setFloat32(i * 4, v, true);
    else if (type === 'i32') view.setInt32(i * 4, v, true);
    else view.setUint32(i * 4, v >>> 0, true);
  });
  return new Uint32Array(buf);
}

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/**
 * Splits a 1-D workgroup count over x and y so that no dimension exceeds the WebGPU limit (65535).
 * Shaders recover the linear index as `wid.x + wid.y * num_workgroups.x`.
 */
export function dispatch1d(workgroups: number): [number, number, number] {
  const max = 65535;
  if (workgroups <= max) return [Math.max(1, workgroups), 1, 1];
  const y = Math.ceil(workgroups / max);
  return [Math.ceil(workgroups / y), y, 1];
}

/** The bindings of a kernel that reads `input` and writes `output`, with uniforms `u`. */
export const IN_OUT_BINDINGS: readonly BindingSpec[] = [
  { name: 'input', kind: 'read-only-storage' },
  { name: 'output', kind: 'storage' },
  { name: 'u', kind: 'uniform' },
];

/** What a one-dimensional kernel (one invocation per item, workgroups of `WG`) differs in. */
export interface GridKernelInit {
  name: string;
  /** Key name when several `name`s share one shader (e.g. `binary_f32` for `binary_add`); default `name`. */
  family?: string;
  /** The params that shape `code` and `constants`, besides WG: with WG, they make the key. */
  params: object;
  code: string;
  /** Override constants besides WG. */
  constants?: Record<string, number>;
  WG: number;
  /** Invocations needed (items); the dispatch covers them with ceil(count / WG) workgroups. */
  count: number;
  /** Default IN_OUT_BINDINGS. */
  bindings?: readonly BindingSpec[];
  uniforms: Uint32Array<ArrayBuffer>;
}

/** The spec of a one-dimensional kernel (elementwise, data movement, rows): the block those builders share. */
export function gridKernel(k: GridKernelInit): KernelSpec {
  return {
    name: k.name,
    key: kernelKey(k.family ?? k.name, { WG: k.WG, ...k.params }),
    code: k.code,
    entryPoint: 'main',
    constants: { WG: k.WG, ...k.constants },
    bindings: [...(k.bindings ?? IN_OUT_BINDINGS)],
    dispatch: dispatch1d(ceilDiv(k.count, k.WG)),
    uniforms: k.uniforms,
  };
}
