/**
 * Autotuner: times candidate variants of one kernel family on one layer shape, keeps the fastest, and caches
 * the choice by adapter + family + shape so that a plan can look it up at load time. The cache exports to and
 * imports from JSON and persists through a `TuneStore` (a file under Node, IndexedDB in a browser). `defaultVariant` is the untuned heuristic.
 *
 * Timing: `reps` submits of one dispatch each after `warmup` untimed ones, minimum taken; GPU timestamps
 * (begin/end of the pass) when the device has `timestamp-query`, else wall clock around submit +
 * onSubmittedWorkDone.
 */
import type { DeviceCaps, KernelSpec } from '../../shaders/kernel.ts';
import { type ConvShape, convOutSize } from '../../shaders/conv-shape.ts';
import { type Conv2dF32Variant, convFamilies } from '../../shaders/conv2d_f32.ts';
import { createBindGroup, createUniformBuffer } from '../../gpu/pipelines.ts';
import { createStorage, pipelineCache } from '../../gpu/exec.ts';
import { defaultConvVariant } from '../ops/conv-select.ts';

export interface TuneGpu {
  device: GPUDevice;
  caps: DeviceCaps;
}

export interface TimingOptions {
  /** Untimed runs first (pipeline warm-up, caches). Default 1. */
  warmup?: number;
  /** Timed dispatches (one per submit); the minimum is reported. Default 3. */
  reps?: number;
}

/** Minimum milliseconds of one dispatch (over `reps` timed submits) of `spec` with `buffers` (by binding name; `u` is made from the spec). */
export async function timeKernel(gpu: TuneGpu, spec: KernelSpec, buffers: Record<string, GPUBuffer>, opts: TimingOptions = {}): Promise<number> {
  const { device, caps } = gpu;
  const reps = opts.reps ?? 3;
  const pipeline = await pipelineCache(device).get(spec);
  const u = createUniformBuffer(device, spec);
  const bindGroup = createBindGroup(device, pipeline, spec, u ? { ...buffers, u } : buffers);
  const querySet = caps.timestamps ? device.createQuerySet({ label: `tune:${spec.name}`, type: 'timestamp', count: 2 }) : undefined;
  const resolve = querySet
    ? device.createBuffer({ label: 'tune:resolve', size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC })
    : undefined;
  const encodeRun = (count: number, timed: boolean): void => {
    const enc = device.createCommandEncoder({ label: `tune:${spec.name}` });
    const pass = enc.beginComputePass(
      timed && querySet ? { timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {},
    );
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    for (let i = 0; i < count; i++) pass.dispatchWorkgroups(...spec.dispatch);
    pass.end();
    if (timed && querySet && resolve) enc.resolveQuerySet(querySet, 0, 2, resolve, 0);
    device.queue.submit([enc.finish()]);
  };
  // One dispatch per timed submit; the minimum is robust to other load on the machine (a shared CPU for
  // software devices), which only ever makes a run slower.
  const timedRun = async (): Promise<number> => {
    const t0 = performance.now();
    encodeRun(1, true);
    await device.queue.onSubmittedWorkDone();
    const wallMs = performance.now() - t0;
    if (!querySet || !resolve) return wallMs;
    const staging = device.createBuffer({ label: 'tune:read', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(resolve, 0, staging, 0, 16);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const [begin, end] = new BigUint64Array(staging.getMappedRange());
    staging.unmap();
    staging.destroy();
    const gpuMs = Number(end - begin) / 1e6;
    // Some implementations return zeros (timestamps quantised or disabled): fall back to the wall clock.
    return gpuMs > 0 ? gpuMs : wallMs;
  };
  try {
    encodeRun(opts.warmup ?? 1, false);
    await device.queue.onSubmittedWorkDone();
    let best = Infinity;
    for (let r = 0; r < reps; r++) best = Math.min(best, await timedRun());
    return best;
  } finally {
    u?.destroy();
    resolve?.destroy();
    querySet?.destroy();
  }
}

export interface Candidate<V> {
  variant: V;
  spec: KernelSpec;
}

export interface TuneResult<V> {
  best: V;
  /** Milliseconds per candidate, in candidate order (empty when the choice came from the cache). */
  timings: { variant: V; ms: number }[];
  cached: boolean;
}

/**
 * Where an Autotuner's cache persists between page loads or processes: a file under Node
 * (`fileTuneStore`, src/node/tune-store.ts), IndexedDB in a browser (`indexedDbTuneStore`, src/gpu/tune-store.ts).
 */
export interface TuneStore {
  /** The JSON last written, or undefined when there is none yet. */
  read(): Promise<string | undefined>;
  write(json: string): Promise<void>;
}

/** The choice cache: one entry per adapter + kernel family + shape key. */
export class Autotuner {
  private readonly cache = new Map<string, unknown>();
  private loaded = false;
  private dirty = false;

  /** `store`: where `load` reads and `save` writes the cache (plan-time tuning calls both). */
  constructor(readonly store?: TuneStore) {}

  /** Merges the store's cache once (later calls do nothing). A store that cannot be parsed is reported. */
  async load(): Promise<void> {
    if (this.loaded || !this.store) return;
    this.loaded = true;
    const json = await this.store.read();
    if (json === undefined) return;
    try {
      this.importJSON(json);
    } catch (e) {
      throw new Error(`autotune: the stored cache is unreadable (${(e as Error).message}); delete it to retune`);
    }
  }

  /** Writes the cache to the store if anything was tuned since the last save. */
  async save(): Promise<void> {
    if (!this.store || !this.dirty) return;
    await this.store.write(this.exportJSON());
    this.dirty = false;
  }

  static key(caps: DeviceCaps, family: string, shapeKey: string): string {
    return `${caps.adapterKey}|${family}|${shapeKey}`;
  }

  get size(): number {
    return this.cache.size;
  }

  lookup<V>(caps: DeviceCaps, family: string, shapeKey: string): V | undefined {
    return this.cache.get(Autotuner.key(caps, family, shapeKey)) as V | undefined;
  }

  /**
   * The fastest of `candidates` (all sharing `buffers`), timed unless the cache has an answer. Candidates
   * that fail to compile are skipped; if all fail, the first error is thrown.
   */
  async tune<V>(gpu: TuneGpu, family: string, shapeKey: string, candidates: Candidate<V>[],
    buffers: Record<string, GPUBuffer>, opts: TimingOptions = {}): Promise<TuneResult<V>> {
    const hit = this.lookup<V>(gpu.caps, family, shapeKey);
    if (hit !== undefined) return { best: hit, timings: [], cached: true };
    if (candidates.length === 0) throw new Error(`autotune ${family} ${shapeKey}: no candidates`);
    const timings: { variant: V; ms: number }[] = [];
    let firstError: unknown;
    for (const c of candidates) {
      try {
        timings.push({ variant: c.variant, ms: await timeKernel(gpu, c.spec, buffers, opts) });
      } catch (e) {
        firstError ??= e;
      }
    }
    if (timings.length === 0) throw firstError;
    const best = timings.reduce((a, b) => (b.ms < a.ms ? b : a)).variant;
    this.cache.set(Autotuner.key(gpu.caps, family, shapeKey), best);
    this.dirty = true;
    return { best, timings, cached: false };
  }

  /** The cache as JSON (`[[key, variant], ...]`), for localStorage or a file. */
  exportJSON(): string {
    return JSON.stringify([...this.cache.entries()]);
  }

  /** Merges a cache exported by `exportJSON`; entries for other adapters are kept but never match. */
  importJSON(json: string): void {
    const entries = JSON.parse(json) as unknown;
    if (!Array.isArray(entries)) throw new Error('autotune: cache JSON is not an array of [key, variant]');
    for (const e of entries) {
      if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string') throw new Error(`autotune: bad cache entry ${JSON.stringify(e)}`);
      this.cache.set(e[0], e[1]);
    }
  }
}

/** The untuned choice for a conv: see `defaultConvVariant` (caps.software -> barrier-free register tiles). */
export function defaultVariant(shape: ConvShape, caps: DeviceCaps): Conv2dF32Variant {
  return defaultConvVariant(shape, caps);
}

/** A small candidate set for `shape`: register tiles of a few sizes, shared-memory tiles, and the specialised kernels. */
export function convCandidates(shape: ConvShape, caps: DeviceCaps): Conv2dF32Variant[] {
  const fams = convFamilies(shape);
  const out: Conv2dF32Variant[] = [];
  if (fams.includes('dw')) out.push({ family: 'dw', tm: 4, wg: 64 }, { family: 'dw', tm: 2, wg: 64 }, { family: 'dw', tm: 1, wg: 64 });
  // A depthwise conv through the generic kernels pads every 1-channel group to a vec4: never worth timing.
  if (fams.includes('dw')) return out;
  if (fams.includes('1x1')) out.push({ family: '1x1', tm: 4, tn4: 2, wg: 64 }, { family: '1x1', tm: 4, tn4: 4, wg: 64 });
  out.push({ family: 'reg', tm: 4, tn4: 2, wg: 64 }, { family: 'reg', tm: 4, tn4: 4, wg: 64 }, { family: 'reg', tm: 4, tn4: 3, wg: 64 });
  // Shared-memory tiles lose on software devices (barriers cost more than they save): not worth timing there.
  if (!caps.software) {
    out.push({ family: 'shared', tm: 4, tn4: 1, wgx: 8, wgy: 8, bk: 16 }, { family: 'shared', tm: 4, tn4: 2, wgx: 8, wgy: 16, bk: 8 });
  }
  return out;
}

/** Cache key part for a conv shape (batch included: tile choice depends on it). */
export const convShapeKey = (s: ConvShape): string =>
  [s.n, s.h, s.w, s.cin, s.cout, s.kh, s.kw, s.strideH, s.strideW, s.dilationH, s.dilationW, s.padTop, s.padLeft, s.padBottom, s.padRight, s.groups].join('x');

/**
 * Scratch buffers big enough for any float conv kernel of `shape` (any family, any weight format up to f32),
 * for timing only: contents are zeros. Caller destroys them.
 */
export function convScratchBuffers(device: GPUDevice, shape: ConvShape, residual: boolean): Record<string, GPUBuffer> {
  const { outH, outW } = convOutSize(shape);
  const kk = shape.kh * shape.kw * (shape.cin / shape.groups);
  const coutGPad = Math.ceil(shape.cout / shape.groups / 8) * 8;
  const dwWords = shape.kh * shape.kw * Math.ceil(shape.cout / 8) * 8;
  const outBytes = shape.n * outH * outW * shape.cout * 4;
  const sizes: Record<string, number> = {
    input: shape.n * shape.h * shape.w * shape.cin * 4,
    weights: Math.max(shape.groups * kk * coutGPad, dwWords) * 4,
    scales: Math.max(shape.groups * kk * coutGPad, dwWords) * 4,
    bias: shape.cout * 4,
    output: outBytes,
  };
  if (residual) sizes.residual = outBytes;
  return Object.fromEntries(Object.entries(sizes).map(([name, bytes]) => [name, createStorage(device, bytes, `tune:${name}`)]));
}

/**
 * Tunes one conv layer: `build` makes the spec of a variant (e.g. `v => conv2dF32Kernel(shape, {...params,
 * variant: v}, caps)`), `family` names the cache slot (e.g. `conv2d_f32:f32:relu`).
 */
export async function tuneConv(tuner: Autotuner, gpu: TuneGpu, family: string, shape: ConvShape,
  build: (v: Conv2dF32Variant) => KernelSpec, opts: TimingOptions & { candidates?: Conv2dF32Variant[] } = {}): Promise<TuneResult<Conv2dF32Variant>> {
  const cached = tuner.lookup<Conv2dF32Variant>(gpu.caps, family, convShapeKey(shape));
  if (cached) return { best: cached, timings: [], cached: true };
  const candidates = (opts.candidates ?? convCandidates(shape, gpu.caps)).map((variant) => ({ variant, spec: build(variant) }));
  const buffers = convScratchBuffers(gpu.device, shape, candidates[0]?.spec.bindings.some((b) => b.name === 'residual') ?? false);
  try {
    return await tuner.tune(gpu, family, convShapeKey(shape), candidates, buffers, opts);
  } finally {
    Object.values(buffers).forEach((b) => b.destroy());
  }
}
