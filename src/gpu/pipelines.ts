/**
 * Pipeline creation with error scopes, cached by kernel key. Plans create all their pipelines through this
 * at load time; nothing here runs per frame.
 */
import type { KernelSpec } from '../shaders/kernel.ts';

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

  private async create(spec: KernelSpec): Promise<GPUComputePipeline> {
    const device = this.device;
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label: spec.key, code: spec.code });
    // Compiler messages first: a failed pipeline alone only says "invalid due to a previous error".
    const info = await module.getCompilationInfo();
    const errs = info.messages.filter((m) => m.type === 'error');
    if (errs.length) {
      await device.popErrorScope();
      throw new Error(`quantgpu: WGSL of ${spec.key} does not compile:\n${errs.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n')}`);
    }
    const layout = device.createBindGroupLayout({
      label: spec.key,
      entries: spec.bindings.map((b, i) => ({
        binding: i,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: layoutType[b.kind] },
      })),
    });
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await device.createComputePipelineAsync({
        label: spec.key,
        layout: device.createPipelineLayout({ label: spec.key, bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: spec.entryPoint, constants: spec.constants },
      });
    } catch (e) {
      await device.popErrorScope();
      throw new Error(`quantgpu: pipeline ${spec.key} failed: ${(e as Error).message}`);
    }
    const err = await device.popErrorScope();
    if (err) throw new Error(`quantgpu: pipeline ${spec.key} failed validation: ${err.message}`);
    return pipeline;
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
