/**
 * Pipeline creation with error scopes, cached by kernel key. Plans create all their pipelines through this
 * at load time; nothing here runs per frame.
 */
import type { KernelSpec } from '../shaders/kernel.ts';
import { scoped } from './scopes.ts';

const layoutType: Record<string, GPUBufferBindingType> = {
  'read-only-storage': 'read-only-storage',
  storage: 'storage',
  uniform: 'uniform',
};

export class PipelineCache {
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  /** The pipeline for `spec` (compiled once per key + constants); rejects with the compiler's message. */
  get(spec: KernelSpec): Promise<GPUComputePipeline> {
    const cacheKey = `${spec.key}|${JSON.stringify(Object.entries(spec.constants).sort())}`;
    let p = this.pipelines.get(cacheKey);
    if (!p) {
      p = this.create(spec);
      this.pipelines.set(cacheKey, p);
      p.catch(() => this.pipelines.delete(cacheKey));
    }
    return p;
  }

  /**
   * Compiles one pipeline. Error scopes are a per-device stack, so none stays open across an await: with several
   * pipelines compiling at once (a plan creates all of its pipelines in parallel) a scope held over an await would
   * catch, and blame, another pipeline's error. The synchronous calls get their own scopes (`scoped`); the async
   * pipeline creation reports its own failure by rejecting.
   */
  private async create(spec: KernelSpec): Promise<GPUComputePipeline> {
    const device = this.device;
    const module = await scoped(device, `creating the shader module of ${spec.key}`,
      () => device.createShaderModule({ label: spec.key, code: spec.code }));
    // Compiler messages first: a failed pipeline alone only says "invalid due to a previous error".
    const info = await module.getCompilationInfo();
    const errs = info.messages.filter((m) => m.type === 'error');
    if (errs.length) {
      throw new Error(`quantgpu: WGSL of ${spec.key} does not compile:\n${errs.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n')}`);
    }
    const layout = await scoped(device, `creating the pipeline layout of ${spec.key}`, () => device.createPipelineLayout({
      label: spec.key,
      bindGroupLayouts: [device.createBindGroupLayout({
        label: spec.key,
        entries: spec.bindings.map((b, i) => ({ binding: i, visibility: GPUShaderStage.COMPUTE, buffer: { type: layoutType[b.kind] } })),
      })],
    }));
    try {
      return await device.createComputePipelineAsync({
        label: spec.key,
        layout,
        compute: { module, entryPoint: spec.entryPoint, constants: spec.constants },
      });
    } catch (e) {
      throw new Error(`quantgpu: pipeline ${spec.key} failed: ${(e as Error).message}`);
    }
  }
}

/** Creates a uniform buffer holding `spec.uniforms`. */
export function createUniformBuffer(device: GPUDevice, spec: KernelSpec): GPUBuffer | undefined {
  if (!spec.uniforms) return undefined;
  const buf = device.createBuffer({
    label: `${spec.key}:u`,
    size: spec.uniforms.byteLength,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buf, 0, spec.uniforms);
  return buf;
}

/** Binds named buffers in the order the spec declares; names the missing one if any. */
export function createBindGroup(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  spec: KernelSpec,
  buffers: Record<string, GPUBuffer>,
  label = spec.key,
): GPUBindGroup {
  return device.createBindGroup({
    label,
    layout: pipeline.getBindGroupLayout(0),
    entries: spec.bindings.map((b, i) => {
      const buffer = buffers[b.name];
      if (!buffer) throw new Error(`quantgpu: kernel ${spec.name} needs a buffer for binding '${b.name}'`);
      return { binding: i, resource: { buffer } };
    }),
  });
}
