/**
 * Turns a plan (build.ts) and its uploaded constants (upload.ts) into GPU objects once (activation buffers by the
 * plan's liveness layout, pipelines, bind groups, uniform buffers, readback buffers) and runs it: write inputs,
 * encode every step into one compute pass, copy outputs to mappable buffers, submit once, map.
 */
import { PipelineCache, createBindGroup, createUniformBuffer } from '../../gpu/pipelines.ts';
import { scoped } from '../../gpu/scopes.ts';
import type { Plan } from './build.ts';
import type { PlanStep, RtValue } from './types.ts';
import { Profiler } from './profiler.ts';
import { constantBuffers } from './upload.ts';

export interface ExecutableOptions {
  profile: boolean;
  onCompile?: (done: number, total: number) => void;
}

interface Compiled {
  step: PlanStep;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
}

export class Executable {
  private compiled: Compiled[] = [];
  private readonly owned: GPUBuffer[] = [];
  private readonly readbacks = new Map<string, GPUBuffer>();
  readonly buffers = new Map<string, GPUBuffer>();
  private readonly profiler?: Profiler;
  private readonly values: Map<string, RtValue>;

  private constructor(
    private readonly device: GPUDevice,
    plan: Plan,
    private readonly consts: GPUBuffer[],
    opts: ExecutableOptions,
  ) {
    this.values = plan.values;
    const slots = plan.buffers.slotBytes.map((bytes, i) => this.own(device.createBuffer({
      label: `activations#${i}`,
      size: Math.max(16, Math.ceil(bytes / 16) * 16),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    })));
    for (const [name, slot] of plan.buffers.slotOf) this.buffers.set(name, slots[slot]);
    for (const { root: name } of plan.outputs) {
      const v = this.values.get(name)!;
      this.readbacks.set(name, this.own(device.createBuffer({
        label: `readback:${name}`, size: Math.ceil(v.bytes / 4) * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      })));
    }
    if (opts.profile) this.profiler = Profiler.create(device, plan.steps.length);
  }

  /**
   * Creates every buffer, pipeline and bind group up front. `consts`: the plan's constants on this device
   * (uploadConstants), owned by the caller. The steps are read as they are now (after any plan-time tuning).
   */
  static async create(device: GPUDevice, cache: PipelineCache, plan: Plan, consts: GPUBuffer[], opts: ExecutableOptions): Promise<Executable> {
    const steps = plan.steps;
    const ex = await scoped(device, 'allocating the activation buffers', () => new Executable(device, plan, consts, opts));
    let done = 0;
    let pipelines: GPUComputePipeline[];
    try {
      pipelines = await Promise.all(steps.map(async (s, i) => {
        const p = await cache.get(s.spec).catch((e: Error) => {
          throw new Error(`quantgpu: plan step ${i} (${s.op} '${s.node}'): ${e.message}`);
        });
        opts.onCompile?.(++done, steps.length);
        return p;
      }));
    } catch (e) {
      ex.destroy();
      throw e;
    }
    ex.compiled = await scoped(device, 'creating the bind groups and uniforms', () => ex.bind(steps, pipelines)).catch((e) => {
      ex.destroy();
      throw e;
    });
    return ex;
  }

  private bind(steps: PlanStep[], pipelines: GPUComputePipeline[]): Compiled[] {
    const ex = this;
    const device = this.device;
    return steps.map((step, i) => {
      const buffers: Record<string, GPUBuffer> = constantBuffers(step.constants, ex.consts);
      for (const [binding, value] of Object.entries(step.values)) {
        const b = ex.buffers.get(value);
        if (!b) throw new Error(`quantgpu: plan step ${i} (${step.node}) reads value '${value}' that has no buffer`);
        buffers[binding] = b;
      }
      const u = createUniformBuffer(device, step.spec);
      if (u) buffers.u = ex.own(u);
      return { step, pipeline: pipelines[i], bindGroup: createBindGroup(device, pipelines[i], step.spec, buffers, `step ${i} ${step.op} '${step.node}'`) };
    });
  }

  private own(b: GPUBuffer): GPUBuffer {
    this.owned.push(b);
    return b;
  }

  /** Encodes all steps; the caller has written the inputs. */
  encode(enc: GPUCommandEncoder): void {
    if (this.profiler) {
      this.compiled.forEach((c, i) => {
        const pass = enc.beginComputePass({ timestampWrites: this.profiler!.writes(i) });
        pass.setPipeline(c.pipeline);
        pass.setBindGroup(0, c.bindGroup);
        pass.dispatchWorkgroups(...c.step.spec.dispatch);
        pass.end();
      });
      this.profiler.resolve(enc);
      return;
    }
    const pass = enc.beginComputePass({ label: 'quantgpu plan' });
    for (const c of this.compiled) {
      pass.setPipeline(c.pipeline);
      pass.setBindGroup(0, c.bindGroup);
      pass.dispatchWorkgroups(...c.step.spec.dispatch);
    }
    pass.end();
  }

  /** Runs the plan once and returns the raw bytes of every output. */
  async run(write: (device: GPUDevice, enc: GPUCommandEncoder) => void, readOutputs = true): Promise<Map<string, ArrayBuffer>> {
    const reads = readOutputs ? [...this.readbacks] : [];
    let maps: Promise<void>[] = [];
    let done: Promise<void> | undefined;
    // Any validation error while encoding or submitting rejects the run (the message names the bind group's step).
    // The maps are requested inside the scope so that waiting for the scope costs no extra round trip.
    const submitted = scoped(this.device, 'encoding and submitting the plan', () => {
      const enc = this.device.createCommandEncoder({ label: 'quantgpu run' });
      write(this.device, enc);
      this.encode(enc);
      for (const [name, rb] of reads) enc.copyBufferToBuffer(this.buffers.get(name)!, 0, rb, 0, rb.size);
      this.device.queue.submit([enc.finish()]);
      maps = reads.map(([, rb]) => rb.mapAsync(GPUMapMode.READ));
      if (!readOutputs) done = this.device.queue.onSubmittedWorkDone();
    });
    const settled = Promise.allSettled([...maps, ...(done ? [done] : [])]);
    try {
      await submitted;
    } catch (e) {
      await settled;
      reads.forEach(([, rb]) => rb.mapState === 'mapped' && rb.unmap());
      throw e;
    }
    const results = await settled;
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) {
      reads.forEach(([, rb]) => rb.mapState === 'mapped' && rb.unmap());
      throw (failed as PromiseRejectedResult).reason;
    }
    const out = new Map<string, ArrayBuffer>();
    for (const [name, rb] of reads) {
      out.set(name, rb.getMappedRange().slice(0, this.values.get(name)!.bytes));
      rb.unmap();
    }
    if (this.profiler) await this.profiler.collect();
    return out;
  }

  /** Milliseconds per step of the last profiled run (empty without profiling). */
  timings(): number[] {
    return this.profiler?.last ?? [];
  }

  destroy(): void {
    this.owned.forEach((b) => b.destroy());
    this.profiler?.destroy();
  }
}
