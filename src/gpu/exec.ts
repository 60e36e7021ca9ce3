/**
 * One-shot execution of a kernel sequence on typed arrays: used by tests, the autotuner and the kernel
 * benchmark. (The runtime's plan does the same with buffers and bind groups made once at load.)
 */
import type { KernelSpec } from '../shaders/kernel.ts';
import { PipelineCache, createBindGroup, createUniformBuffer } from './pipelines.ts';

export type HostData = ArrayBufferView;

const caches = new WeakMap<GPUDevice, PipelineCache>();
export function pipelineCache(device: GPUDevice): PipelineCache {
  let c = caches.get(device);
  if (!c) caches.set(device, (c = new PipelineCache(device)));
  return c;
}

/** A storage buffer with `data` uploaded (sizes rounded up to 4 bytes, at least 16). */
export function uploadBuffer(device: GPUDevice, data: HostData, label = 'data'): GPUBuffer {
  const size = Math.max(16, Math.ceil(data.byteLength / 4) * 4);
  const buf = device.createBuffer({
    label,
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  new Uint8Array(buf.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  buf.unmap();
  return buf;
}

export function createStorage(device: GPUDevice, byteLength: number, label = 'storage'): GPUBuffer {
  return device.createBuffer({
    label,
    size: Math.max(16, Math.ceil(byteLength / 4) * 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
}

export async function readBuffer(device: GPUDevice, buffer: GPUBuffer, byteLength = buffer.size): Promise<ArrayBuffer> {
  const size = Math.ceil(byteLength / 4) * 4;
  const staging = device.createBuffer({ label: 'readback', size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder({ label: 'readback' });
  enc.copyBufferToBuffer(buffer, 0, staging, 0, size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = staging.getMappedRange().slice(0, byteLength);
  staging.unmap();
  staging.destroy();
  return out;
}

export interface KernelCall {
  spec: KernelSpec;
  /** Buffers by binding name (the uniform `u` is made from `spec.uniforms`). */
  buffers: Record<string, GPUBuffer>;
}

/** Encodes the calls in one compute pass and submits once. Pipelines are compiled (and cached) first. */
export async function encodeAndSubmit(device: GPUDevice, calls: KernelCall[]): Promise<void> {
  const cache = pipelineCache(device);
  const pipelines = await Promise.all(calls.map((c) => cache.get(c.spec)));
  const temps: GPUBuffer[] = [];
  device.pushErrorScope('validation');
  const enc = device.createCommandEncoder({ label: 'quantgpu' });
  const pass = enc.beginComputePass();
  calls.forEach((c, i) => {
    const u = createUniformBuffer(device, c.spec);
    if (u) temps.push(u);
    const buffers = u ? { ...c.buffers, u } : c.buffers;
    pass.setPipeline(pipelines[i]);
    pass.setBindGroup(0, createBindGroup(device, pipelines[i], c.spec, buffers));
    pass.dispatchWorkgroups(...c.spec.dispatch);
  });
  pass.end();
  device.queue.submit([enc.finish()]);
  const err = await device.popErrorScope();
  await device.queue.onSubmittedWorkDone();
  temps.forEach((b) => b.destroy());
  if (err) throw new Error(`quantgpu: dispatch failed: ${err.message}`);
}

/**
 * Runs one kernel: uploads `inputs` (by binding name), allocates `outputs` (binding name -> byte length),
 * dispatches, and returns the outputs' bytes. Buffers named in both are uploaded and read back.
 */
export async function runKernel(
  device: GPUDevice,
  spec: KernelSpec,
  inputs: Record<string, HostData>,
  outputs: Record<string, number>,
): Promise<Record<string, ArrayBuffer>> {
  const buffers: Record<string, GPUBuffer> = {};
  for (const [name, data] of Object.entries(inputs)) buffers[name] = uploadBuffer(device, data, `${spec.name}:${name}`);
  for (const [name, bytes] of Object.entries(outputs)) buffers[name] ??= createStorage(device, bytes, `${spec.name}:${name}`);
  await encodeAndSubmit(device, [{ spec, buffers }]);
  const result: Record<string, ArrayBuffer> = {};
  for (const [name, bytes] of Object.entries(outputs)) result[name] = await readBuffer(device, buffers[name], bytes);
  Object.values(buffers).forEach((b) => b.destroy());
  return result;
}
