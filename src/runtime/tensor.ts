/**
 * An onnxruntime-web-like `Tensor` (type, dims, data or a GPU buffer) and the conversion of whatever a caller
 * passes to `InferenceSession.run()` into the session's own feeds: host float32 data, or GPU buffers.
 *
 * Accepted per input: a quantgpu `Tensor`, a plain `{ dims, data }` (HostTensor), a `{ dims, buffer, layout }`
 * (GpuTensor), or any object shaped like onnxruntime-web's Tensor (`type`, `dims`, `data` or `gpuBuffer`).
 * Models take float32 inputs; uint8 data (image pixels) is widened to float32 value by value (0..255, exact),
 * which is what a model with raw-pixel inputs (YOLOX, ResNet-8) expects. Other integer types are refused by name:
 * silently reinterpreting them would be a wrong answer.
 */
import type { GpuTensor, HostTensor } from './api.ts';
import { type PixelTransform, type RgbaImage, channelAffine } from '../pre/preprocess.ts';

/** Element types a Tensor can hold (onnxruntime-web's names). */
export type TensorType = 'float32' | 'uint8' | 'int8' | 'int32' | 'int64';

type DataOf = { float32: Float32Array; uint8: Uint8Array | Uint8ClampedArray; int8: Int8Array; int32: Int32Array; int64: BigInt64Array };
const CTORS: Record<TensorType, string[]> = {
  float32: ['Float32Array'], uint8: ['Uint8Array', 'Uint8ClampedArray'], int8: ['Int8Array'], int32: ['Int32Array'], int64: ['BigInt64Array'],
};

const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** A tensor on the host (`location: 'cpu'`) or in a GPU buffer (`location: 'gpu-buffer'`, float32). */
export class Tensor {
  readonly type: TensorType;
  readonly dims: readonly number[];
  readonly location: 'cpu' | 'gpu-buffer';
  readonly data?: DataOf[TensorType];
  readonly gpuBuffer?: GPUBuffer;
  /** Layout of a GPU buffer: NHWC is what quantgpu plans by default (see SessionOptions.inputLayout). */
  readonly layout?: GpuTensor['layout'];

  /** `new Tensor('float32', data, dims)`, as in onnxruntime-web; `dims` defaults to `[data.length]`. */
  constructor(type: TensorType, data: DataOf[TensorType], dims?: readonly number[]) {
    if (!(type in CTORS)) throw new Error(`quantgpu Tensor: unknown type '${type}' (known: ${Object.keys(CTORS).join(', ')})`);
    const ctor = data?.constructor?.name;
    if (!CTORS[type].includes(ctor)) throw new Error(`quantgpu Tensor: type '${type}' needs ${CTORS[type].join(' or ')}, got ${ctor ?? typeof data}`);
    const d = dims ?? [data.length];
    if (d.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`quantgpu Tensor: bad dims [${d}]`);
    if (count(d) !== data.length) throw new Error(`quantgpu Tensor: dims [${d}] need ${count(d)} values, data has ${data.length}`);
    this.type = type;
    this.dims = [...d];
    this.location = 'cpu';
    this.data = data;
  }

  /** A float32 tensor that lives in a GPU buffer of the session's device (tightly packed). */
  static fromGpuBuffer(buffer: GPUBuffer, opts: { dims: readonly number[]; dataType?: 'float32'; layout?: GpuTensor['layout'] }): Tensor {
    if ((opts.dataType ?? 'float32') !== 'float32') throw new Error(`quantgpu Tensor.fromGpuBuffer: only float32 GPU buffers are accepted, got ${opts.dataType}`);
    const t = Object.create(Tensor.prototype) as { -readonly [K in keyof Tensor]: Tensor[K] };
    Object.assign(t, { type: 'float32', dims: [...opts.dims], location: 'gpu-buffer', gpuBuffer: buffer, layout: opts.layout ?? 'nhwc' });
    return t as Tensor;
  }

  /**
   * RGBA pixels (ImageData, a decoded JPEG) as a float32 NCHW [1, 3, height, width] tensor, each pixel mapped by
   * `transform` (channel order, scale, mean, std; default raw RGB 0..255). No resizing: size the image first
   * (or use `letterbox` + `preprocessNCHW`).
   */
  static fromImage(img: RgbaImage, transform: PixelTransform = {}): Tensor {
    const { width: w, height: h } = img;
    if (img.data.length !== w * h * 4) throw new Error(`quantgpu Tensor.fromImage: ${w}x${h} RGBA needs ${w * h * 4} bytes, got ${img.data.length}`);
    const { src, mul, add } = channelAffine(transform);
    const out = new Float32Array(3 * w * h);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < w * h; p++) out[c * w * h + p] = img.data[p * 4 + src[c]] * mul[c] + add[c];
    }
    return new Tensor('float32', out, [1, 3, h, w]);
  }

  /** Element count. */
  get size(): number {
    return count(this.dims);
  }
}

/** What `run()` accepts per input. */
export type FeedValue = Tensor | HostTensor | GpuTensor | { type: string; dims: readonly number[]; data?: unknown; gpuBuffer?: GPUBuffer; location?: string };

/** Feeds normalized for the session: all on the host (float32), or all on the GPU. */
export type NormalizedFeeds = { host: Record<string, HostTensor>; gpu?: undefined } | { gpu: Record<string, GpuTensor>; host?: undefined };

/** Converts `run()` feeds to host float32 tensors or GPU tensors; throws naming the input for anything else. */
export function normalizeFeeds(feeds: Record<string, FeedValue>): NormalizedFeeds {
  const host: Record<string, HostTensor> = {};
  const gpu: Record<string, GpuTensor> = {};
  for (const [name, v] of Object.entries(feeds)) {
    if (!v || typeof v !== 'object' || !Array.isArray(v.dims)) {
      throw new Error(`quantgpu: input '${name}' is not a tensor (expected a Tensor, { dims, data } or { dims, buffer, layout })`);
    }
    const dims = [...v.dims];
    // onnxruntime's Tensor throws on `gpuBuffer` unless it lives there: ask `location` first.
    const buffer = (v as GpuTensor).buffer ?? ((v as Tensor).location === 'gpu-buffer' ? (v as Tensor).gpuBuffer : undefined);
    if (buffer) {
      const type = (v as Tensor).type ?? 'float32';
      if (type !== 'float32') throw new Error(`quantgpu: GPU input '${name}' must be float32, got ${type}`);
      gpu[name] = { dims, buffer, layout: (v as GpuTensor).layout ?? 'nhwc' };
      continue;
    }
    host[name] = { dims, data: toFloat32(name, v as HostTensor & { type?: string }), dtype: 'float32' };
  }
  const nh = Object.keys(host).length, ng = Object.keys(gpu).length;
  if (nh && ng) throw new Error(`quantgpu: inputs mix host data (${Object.keys(host).join(', ')}) and GPU buffers (${Object.keys(gpu).join(', ')}); give all of them one way`);
  return ng ? { gpu } : { host };
}

/** float32 passes through; uint8 is widened exactly; any other element type is refused with the input's name. */
function toFloat32(name: string, v: HostTensor & { type?: string }): Float32Array {
  const data = v.data as unknown;
  const type = v.type ?? v.dtype ?? (data as object)?.constructor?.name;
  if (data instanceof Float32Array) return data;
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return Float32Array.from(data);
  const what = data === undefined ? 'no data' : `${type}`;
  throw new Error(`quantgpu: input '${name}' holds ${what}; models take float32 (Float32Array), or uint8 pixels that are widened to float32`);
}
