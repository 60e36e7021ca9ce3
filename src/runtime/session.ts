/**
 * InferenceSession: load an ONNX model, plan it once on the GPU, run it many times.
 *
 *   const session = await InferenceSession.create(bytesOrUrl, { precision: 'int8' });
 *   const { logits } = await session.run({ input: { dims: [1, 3, 32, 32], data } });
 */
import { acquireDevice, type GpuContext } from '../gpu/device.ts';
import { pipelineCache } from '../gpu/exec.ts';
import type { GpuTensor, HostTensor, MemoryStats, SessionOptions, StepInfo, StepTiming } from './api.ts';
import { type FeedValue, normalizeFeeds } from './tensor.ts';
import { type Graph, ModelError, elementCount } from './ir.ts';
import { targetOf } from '../gpu/profiles.ts';
import { checkFinite, uploadable } from './inputs.ts';
import { type IoSpec, type Plan, buildPlan, preparePlanGraph, sessionConfig } from './plan/build.ts';
import { describePlan, planMemory, planSteps } from './plan/describe.ts';
import { Executable } from './plan/executor.ts';
import { releaseConstBytes, uploadConstants } from './plan/upload.ts';
import { defaultTuner, tunePlan, tuneSteps } from './plan/tune-plan.ts';

export class InferenceSession {
  private disposed = false;
  /** Runs in order: each run starts when the previous one has settled (a readback buffer maps once at a time). */
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when the device is lost: every later call rejects with it. */
  private lostMessage?: string;
  /** Rejects the run in flight when the device is lost (a lost device may leave its map pending forever). */
  private abortInFlight?: (e: Error) => void;
  /** Whether some activation is stored as int8: a NaN or Inf input would then turn into finite garbage. */
  private readonly quantizesActivations: boolean;

  private readonly inputs: IoSpec[];
  private readonly outputs: IoSpec[];

  private constructor(
    readonly graph: Graph,
    /** The plan this session runs (pure data: see plan/build.ts). */
    readonly plan: Plan,
    private readonly gpu: GpuContext,
    /** The plan's constants on the device, by `PlanConst.id`. */
    private readonly consts: GPUBuffer[],
    private readonly exe: Executable,
    private readonly ownsDevice: boolean,
  ) {
    this.inputs = plan.inputs;
    this.outputs = plan.outputs;
    this.quantizesActivations = [...plan.values.values()].some((v) => v.storage === 'q8');
    void gpu.lost.then((info) => {
      if (!this.disposed || !this.ownsDevice) {
        this.lostMessage = `quantgpu: the GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}); ` +
          'this session cannot run any more: create a new session (it acquires a new device)';
        this.abortInFlight?.(new Error(this.lostMessage));
      }
    });
  }

  get inputNames(): string[] {
    return this.inputs.map((i) => i.name);
  }
  get outputNames(): string[] {
    return this.outputs.map((o) => o.name);
  }
  /** Shapes the session was planned for, by input name. */
  get inputShapes(): Record<string, number[]> {
    return Object.fromEntries(this.inputs.map((i) => [i.name, i.dims]));
  }
  get context(): GpuContext {
    return this.gpu;
  }

  /** Loads, checks, optimizes and plans a model. Unsupported ops are reported before any GPU work. */
  static async create(model: Uint8Array | ArrayBuffer | string, opts: SessionOptions = {}): Promise<InferenceSession> {
    const progress = opts.onProgress ?? (() => {});
    progress({ stage: 'load', done: 0, total: 1, message: typeof model === 'string' ? model : `${(model as ArrayBufferLike).byteLength} bytes` });
    const bytes = await readModel(model);
    progress({ stage: 'load', done: 1, total: 1 });
    const graph = preparePlanGraph(bytes, opts);
    progress({ stage: 'fold', done: 1, total: 1, message: `${graph.nodes.length} nodes after folding and fusion` });
    const gpu = opts.context ?? (await acquireDevice({ gpu: opts.gpu }));
    const config = sessionConfig(graph, opts);
    const tuner = opts.tune === true ? defaultTuner : opts.tune || undefined;
    const variants = tuner ? await tunePlan(gpu, graph, config, tuner, (done, total) => progress({ stage: 'tune', done, total })) : undefined;
    // Planning is pure (no GPU); the constants are uploaded once the plan is complete.
    const plan = buildPlan(graph, targetOf(gpu), {
      config, variants, inputLayout: opts.inputLayout, outputs: opts.outputs,
      onProgress: (done, total) => progress({ stage: 'plan', done, total }),
    });
    const consts = await uploadConstants(gpu.device, plan.consts);
    releaseConstBytes(plan.consts);
    try {
      if (tuner) await tuneSteps(gpu, plan, consts, tuner, (done, total) => progress({ stage: 'tune', done, total }));
      const exe = await Executable.create(gpu.device, pipelineCache(gpu.device), plan, consts,
        { profile: opts.profile ?? false, onCompile: (done, total) => progress({ stage: 'compile', done, total }) });
      return new InferenceSession(graph, plan, gpu, consts, exe, !opts.context);
    } catch (e) {
      consts.forEach((b) => b.destroy());
      throw e;
    }
  }

  /**
   * Runs the model. Feeds are checked by name, shape and dtype before anything is written to the GPU. Each feed is
   * a `Tensor` (or onnxruntime-web-like tensor), a `{ dims, data }`, or GPU buffers (then as `runGpu`): see tensor.ts.
   * Calls are queued: each starts when the one before it has settled, and reads its feeds' data when it starts.
   */
  async run(input: Record<string, FeedValue>): Promise<Record<string, HostTensor & { data: Float32Array }>> {
    const norm = normalizeFeeds(input);
    if (norm.gpu) return this.runGpu(norm.gpu);
    return this.enqueue('run()', () => this.runHost(norm.host));
  }

  private async runHost(feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor & { data: Float32Array }>> {
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((i) => i.name === name)) {
        throw new Error(`quantgpu: unknown input '${name}' (the model's inputs are: ${this.inputNames.join(', ')})`);
      }
    }
    const data = this.inputs.map((i) => {
      const t = feeds[i.name];
      if (!t) throw new Error(`quantgpu: missing input '${i.name}' [${i.dims}]`);
      if (!(t.data instanceof Float32Array)) {
        throw new Error(`quantgpu: input '${i.name}' must be float32 (Float32Array), got ${t.data.constructor.name}`);
      }
      if (t.dims.length !== i.dims.length || t.dims.some((d, k) => d !== i.dims[k])) {
        throw new Error(`quantgpu: input '${i.name}' has shape [${t.dims}], the session was planned for [${i.dims}]`);
      }
      if (t.data.length !== elementCount(i.dims)) {
        throw new Error(`quantgpu: input '${i.name}' has ${t.data.length} values, shape [${t.dims}] needs ${elementCount(i.dims)}`);
      }
      if (this.quantizesActivations) checkFinite(i.name, t.data);
      return uploadable(t.data);
    });
    const raw = await this.exe.run((device) => {
      this.inputs.forEach((i, k) => device.queue.writeBuffer(this.exe.buffers.get(i.root)!, 0, data[k]));
    });
    return this.collect(raw);
  }

  /**
   * Runs the model on inputs that already live on the GPU (same device), e.g. a camera frame preprocessed by a
   * compute shader: the buffers are copied into the plan's input buffers inside the same submit. The layout of
   * each buffer must be the session's `inputLayout`.
   */
  async runGpu(feeds: Record<string, GpuTensor>, opts: { read?: boolean } = {}): Promise<Record<string, HostTensor & { data: Float32Array }>> {
    return this.enqueue('runGpu()', () => this.runDevice(feeds, opts));
  }

  /**
   * Chains `fn` after the runs before it. A run that finds the session disposed or the device lost rejects with
   * that; an error with an empty message (WebGPU's AbortError/OperationError) gets one naming the call.
   */
  private enqueue<T>(call: string, fn: () => Promise<T>): Promise<T> {
    // Checked at call time: runs called before dispose() still run (dispose waits for them).
    if (this.disposed) return Promise.reject(new Error('quantgpu: session was disposed'));
    const start = async (): Promise<T> => {
      if (this.lostMessage) throw new Error(this.lostMessage);
      try {
        // Not Promise.race with the lost promise: each race would leave a reaction on it, one per frame, forever.
        return await new Promise<T>((resolve, reject) => {
          this.abortInFlight = reject;
          fn().then(resolve, reject);
        });
      } catch (e) {
        // A failure caused by a device loss says so, whichever settled first (the loss event may come a bit later).
        const gpuAbort = e instanceof Error && (e.name === 'AbortError' || e.name === 'OperationError' || !e.message);
        if (gpuAbort && !this.lostMessage) await new Promise((r) => setTimeout(r, 50));
        if (this.lostMessage) throw new Error(`${this.lostMessage} (during ${call})`);
        if (e instanceof Error && !e.message) throw new Error(`quantgpu: ${call} failed: ${e.name || 'Error'} with no message from WebGPU`);
        throw e;
      } finally {
        this.abortInFlight = undefined;
      }
    };
    const p = this.queue.then(start, start);
    this.queue = p.catch(() => {});
    return p;
  }

  private async runDevice(feeds: Record<string, GpuTensor>, opts: { read?: boolean }): Promise<Record<string, HostTensor & { data: Float32Array }>> {
    const srcs = this.inputs.map((i) => {
      const t = feeds[i.name];
      if (!t) throw new Error(`quantgpu: missing input '${i.name}' [${i.dims}]`);
      const bytes = elementCount(i.dims) * 4;
      if (t.buffer.size < bytes) throw new Error(`quantgpu: GPU input '${i.name}' holds ${t.buffer.size} bytes, [${i.dims}] f32 needs ${bytes}`);
      const want = this.plan.values.get(i.root)!.layout === 'nhwc' ? 'nhwc' : 'nchw';
      if (i.dims.length === 4 && t.layout !== want && t.layout !== 'flat') {
        throw new Error(`quantgpu: GPU input '${i.name}' is ${t.layout}; this session was planned for ${want} (SessionOptions.inputLayout)`);
      }
      return { src: t.buffer, dst: this.exe.buffers.get(i.root)!, bytes };
    });
    const read = opts.read ?? true;
    const raw = await this.exe.run((_, enc) => srcs.forEach((c) => enc.copyBufferToBuffer(c.src, 0, c.dst, 0, c.bytes)), read);
    return read ? this.collect(raw) : {};
  }

  /**
   * The GPU buffers that hold the outputs after a run (f32, ONNX order), valid until the next run: for consumers
   * on the same device (e.g. a decoding shader) with `runGpu(feeds, { read: false })`.
   */
  outputBuffers(): Record<string, GpuTensor> {
    return Object.fromEntries(this.outputs.map((o) => [o.name, { dims: o.dims, buffer: this.exe.buffers.get(o.root)!, layout: 'flat' as const }]));
  }

  private collect(raw: Map<string, ArrayBuffer>): Record<string, HostTensor & { data: Float32Array }> {
    const out: Record<string, HostTensor & { data: Float32Array }> = {};
    // Exactly the output's elements: GPU buffers are never empty, so a zero-element output reads back 4 bytes.
    for (const o of this.outputs) out[o.name] = { dims: o.dims, data: new Float32Array(raw.get(o.root)!, 0, elementCount(o.dims)), dtype: 'float32' };
    return out;
  }

  /** One line per step: op, kernel, precision, shapes, weight bytes; then memory totals (plan/describe.ts). */
  describePlan(): string {
    return describePlan(this.plan);
  }

  steps(): StepInfo[] {
    return planSteps(this.plan);
  }

  /** GPU time per step of the last run (needs `profile: true` and timestamp-query). */
  profile(): StepTiming[] {
    const t = this.exe.timings();
    return this.plan.steps.map((s, index) => ({ index, node: s.node, kernel: s.spec.name, ms: t[index] ?? NaN })).filter((s) => !Number.isNaN(s.ms));
  }

  memory(): MemoryStats {
    return planMemory(this.plan);
  }

  /**
   * Frees the session's GPU memory (and its device, if the session acquired it) once the runs called before it
   * have finished; runs called after it reject. Await it to know the memory is freed.
   */
  dispose(): Promise<void> {
    if (this.disposed) return this.queue.then(() => {});
    this.disposed = true;
    const done = this.queue.then(() => {
      this.exe.destroy();
      this.consts.forEach((b) => b.destroy());
      if (this.ownsDevice) this.gpu.device.destroy();
    });
    this.queue = done;
    return done;
  }
}

async function readModel(model: Uint8Array | ArrayBuffer | string): Promise<Uint8Array> {
  if (typeof model === 'string') {
    const res = await fetch(model);
    if (!res.ok) throw new ModelError(`could not fetch model ${model}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  return model instanceof Uint8Array ? model : new Uint8Array(model);
}
