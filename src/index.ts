/**
 * quantgpu: quantized conv nets on WebGPU. Browser entry (no Node-only imports).
 */
export { InferenceSession } from './runtime/session.ts';
export type { HostTensor, GpuTensor, Precision, Progress, SessionOptions, StepInfo, StepTiming, MemoryStats } from './runtime/api.ts';
export { type PrecisionConfig, type LayerPrecision, layerPrecision, parsePrecisionConfig, uniformConfig } from './runtime/precision.ts';
export { acquireDevice, type GpuContext } from './gpu/device.ts';
export type { DeviceCaps } from './shaders/kernel.ts';
export { ModelError } from './runtime/ir.ts';
export { Autotuner } from './shaders/tune.ts';
