/**
 * Device setup, in one place: which features and limits we ask for, what we learn about the adapter
 * (`DeviceCaps`), and how device loss and uncaptured errors are surfaced. Browser-safe: Node callers pass the
 * `GPU` object from Dawn (see `src/node/gpu.ts`).
 */
import type { DeviceCaps } from '../shaders/kernel.ts';

export interface GpuContext {
  device: GPUDevice;
  adapter: GPUAdapter;
  caps: DeviceCaps;
  /** Resolves with the loss info if the device is lost. */
  lost: Promise<GPUDeviceLostInfo>;
  /** Uncaptured validation / out-of-memory errors seen so far (also logged). */
  errors: string[];
}

export interface AcquireOptions {
  /** Defaults to `navigator.gpu`. */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  /** Ask for `shader-f16` when the adapter has it (default true). */
  f16?: boolean;
  /** Label prefix for the device. */
  label?: string;
  /**
   * Limits to ask for instead of the adapter's maxima (e.g. WebGPU's defaults, to check that a model plans within
   * what every device offers). A limit left out gets the adapter's maximum.
   */
  limits?: Partial<Record<'maxStorageBufferBindingSize' | 'maxBufferSize' | 'maxComputeWorkgroupsPerDimension', number>>;
}

const SOFTWARE = /swiftshader|lavapipe|llvmpipe|warp|software|microsoft basic/i;

/** Requests an adapter and a device with the features quantgpu can use; throws a clear error if there is none. */
export async function acquireDevice(opts: AcquireOptions = {}): Promise<GpuContext> {
  const gpu = opts.gpu ?? (typeof navigator !== 'undefined' ? navigator.gpu : undefined);
  if (!gpu) throw new Error('quantgpu: WebGPU is not available (navigator.gpu is undefined; serve the page over http://localhost or https)');
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new Error('quantgpu: no WebGPU adapter found (requestAdapter returned null)');

  const wanted: GPUFeatureName[] = ['timestamp-query', 'subgroups'];
  if (opts.f16 !== false) wanted.push('shader-f16');
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    label: opts.label ?? 'quantgpu',
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      ...opts.limits,
    },
  });

  const errors: string[] = [];
  device.addEventListener('uncapturederror', (ev) => {
    const msg = (ev as GPUUncapturedErrorEvent).error.message;
    errors.push(msg);
    console.error(`quantgpu: uncaptured WebGPU error: ${msg}`);
  });
  const lost = device.lost.then((info) => {
    if (info.reason !== 'destroyed') console.error(`quantgpu: device lost (${info.reason}): ${info.message}`);
    return info;
  });

  const info = adapter.info;
  const desc = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.trim();
  const caps: DeviceCaps = {
    f16: device.features.has('shader-f16'),
    packedDot: gpu.wgslLanguageFeatures?.has('packed_4x8_integer_dot_product') ?? false,
    subgroups: device.features.has('subgroups'),
    timestamps: device.features.has('timestamp-query'),
    software: SOFTWARE.test(desc) || (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true,
    adapterKey: desc.replace(/\s+/g, ' '),
    maxWorkgroupStorage: device.limits.maxComputeWorkgroupStorageSize,
    maxInvocations: device.limits.maxComputeInvocationsPerWorkgroup,
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
  };
  return { device, adapter, caps, lost, errors };
}
