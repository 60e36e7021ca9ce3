/**
 * The one step that puts a plan's constants on a device: one labeled storage buffer per `PlanConst`, in `id`
 * order. Sizes were checked against the device limits while planning; a WebGPU error here (out of memory) rejects
 * rather than being logged, and the buffers made before it are destroyed.
 */
import { scoped } from '../../gpu/scopes.ts';
import type { PlanConst } from './types.ts';

/** Uploads every constant; the caller owns (and destroys) the returned buffers, indexed by `PlanConst.id`. */
export async function uploadConstants(device: GPUDevice, consts: PlanConst[]): Promise<GPUBuffer[]> {
  const made: GPUBuffer[] = [];
  try {
    await scoped(device, 'uploading the constants (weights, tables)', () => {
      for (const c of consts) {
        if (!c.bytes) throw new Error(`quantgpu: constant ${c.id} '${c.label}' (${c.size} bytes) was released after an earlier upload; plan the model again`);
        const buf = device.createBuffer({ label: c.label, size: c.size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, mappedAtCreation: true });
        new Uint8Array(buf.getMappedRange()).set(c.bytes);
        buf.unmap();
        made.push(buf);
      }
    });
  } catch (e) {
    made.forEach((b) => b.destroy());
    throw e;
  }
  return made;
}

/**
 * Drops the CPU copy of every constant (sizes, labels and digests stay for describePlan and comparisons): after
 * uploadConstants the GPU buffers are the weights, and keeping both would double the JS memory of a model.
 */
export function releaseConstBytes(consts: PlanConst[]): void {
  for (const c of consts) delete c.bytes;
}

/** A step's constants as the uploaded buffers, by binding name. */
export function constantBuffers(constants: Record<string, PlanConst>, uploaded: GPUBuffer[]): Record<string, GPUBuffer> {
  return Object.fromEntries(Object.entries(constants).map(([binding, c]) => [binding, uploaded[c.id]]));
}
