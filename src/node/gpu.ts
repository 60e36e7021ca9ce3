/**
 * WebGPU under Node through Dawn (the `webgpu` npm package). Node-only: never imported by the browser entry.
 * Without a GPU, Dawn finds SwiftShader when VK_ICD_FILENAMES points at its ICD; we set that when the
 * variable is unset and the machine has no GPU device node (or QUANTGPU_SWIFTSHADER=1).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDevice, type AcquireOptions, type GpuContext } from '../gpu/device.ts';
import { importOptional } from './optional.ts';

const SWIFTSHADER_ICD = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

/** A GPU device node exists (NVIDIA, or a DRM render node). Mesa's ICD files alone do not mean a GPU. */
function hasGpuDevice(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  return existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
}

let gpuObject: GPU | undefined;

/** The Dawn `GPU` object (created once per process), with WebGPU globals installed. */
export async function nodeGpu(): Promise<GPU> {
  if (gpuObject) return gpuObject;
  if (!process.env.VK_ICD_FILENAMES && (process.env.QUANTGPU_SWIFTSHADER === '1' || !hasGpuDevice())) {
    const icd = SWIFTSHADER_ICD.find((p) => existsSync(p));
    if (icd) process.env.VK_ICD_FILENAMES = icd;
  }
  if (!process.env.XDG_RUNTIME_DIR) {
    // Vulkan's loader complains on every start without one (headless servers, CI).
    const dir = join(tmpdir(), `quantgpu-runtime-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  const { create, globals } = await importOptional(() => import('webgpu'), 'webgpu', 'WebGPU under Node (Dawn)');
  Object.assign(globalThis, globals);
  gpuObject = create([]) as unknown as GPU;
  return gpuObject;
}

/** Acquires a device under Node; throws (never skips) when there is no adapter. */
export async function acquireNodeDevice(opts: Omit<AcquireOptions, 'gpu'> = {}): Promise<GpuContext> {
  return acquireDevice({ ...opts, gpu: await nodeGpu() });
}
