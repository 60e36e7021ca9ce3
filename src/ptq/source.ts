/**
 * ActivationSource: runs a model on a batch and returns named tensors (graph outputs and intermediate values).
 * Calibration, bias correction and sensitivity analysis only see this interface, so they run the same way on the
 * GPU runtime (default) and on onnxruntime-node (tests, the fake-quant reference).
 */
import { importOptional } from '../node/optional.ts';
import type { Graph } from '../runtime/ir.ts';
import { onnxTypes } from '../runtime/onnx/schema.ts';
import { save } from '../runtime/onnx/save.ts';
import { cloneGraph } from './graph.ts';

/** Float tensors by name, ONNX dimension order. */
export type Tensors = Record<string, { dims: number[]; data: Float32Array }>;

export interface ActivationSource {
  /** Runs `feeds` through the model and returns the requested `names` (values of the model's graph). */
  run(feeds: Tensors, names: string[]): Promise<Tensors>;
  dispose(): Promise<void>;
  readonly label: string;
}

/** A factory: a source for a given graph (sources are per graph because the GPU runtime plans per model). */
export type SourceFactory = (graph: Graph, inputShapes: Record<string, number[]>) => Promise<ActivationSource>;

/**
 * ONNX bytes of `g` with `names` added as graph outputs. Their value_info carries the element type but no shape
 * (unknown rank), which the IR cannot express, so the added entries are edited in the decoded ModelProto.
 */
export function bytesWithOutputs(g: Graph, names: readonly string[]): Uint8Array {
  const extra = names.filter((n) => !g.outputs.some((o) => o.name === n));
  const copy = cloneGraph(g);
  for (const n of extra) copy.outputs.push({ name: n, dtype: 'float32', shape: [] });
  const T = onnxTypes().ModelProto;
  const msg = T.decode(save(copy)) as unknown as { graph: { output: { name: string; type: { tensor_type: { shape?: unknown } } }[] } };
  for (const o of msg.graph.output) if (extra.includes(o.name)) delete o.type.tensor_type.shape;
  return T.encode(msg as never).finish();
}

type Ort = typeof import('onnxruntime-node');

/**
 * onnxruntime-node (CPU) as a source. `optimization: 'disabled'` keeps QuantizeLinear/DequantizeLinear as separate
 * float computations (no QDQ fusion into integer kernels): that is the fake-quant simulation of a QDQ model.
 * The session is built once per set of requested names and reused. `spin: false` stops ORT's worker threads from
 * spinning between runs (session.intra_op.allow_spinning = 0): the simulation makes thousands of short runs, and
 * on a shared 2-core machine the spin took CPU from everything else (ResNet-20 `auto`: 0.70x the CPU seconds,
 * 0.83x the wall time, load average ~17). Left at ORT's default elsewhere (eval reports ORT's speed as a peer).
 */
export async function ortSource(graph: Graph, opts: { optimization?: 'disabled' | 'all'; spin?: boolean } = {}): Promise<ActivationSource> {
  const ort: Ort = await importOptional(() => import('onnxruntime-node'), 'onnxruntime-node', 'The float reference (onnxruntime-node: quantize --method auto, --weights mixed, eval --runtime ort)');
  const sessions = new Map<string, Promise<import('onnxruntime-node').InferenceSession>>();
  const sessionFor = (names: string[]) => {
    const key = [...names].sort().join('\n');
    let s = sessions.get(key);
    if (!s) {
      const bytes = bytesWithOutputs(graph, names);
      s = ort.InferenceSession.create(bytes, {
        graphOptimizationLevel: opts.optimization ?? 'all', intraOpNumThreads: 0,
        ...(opts.spin === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
      });
      sessions.set(key, s);
    }
    return s;
  };
  return {
    label: `onnxruntime-node (${opts.optimization ?? 'all'})`,
    async run(feeds, names) {
      const s = await sessionFor(names);
      const t: Record<string, import('onnxruntime-node').Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) t[k] = new ort.Tensor('float32', v.data, v.dims);
      const r = await s.run(t, names);
      const out: Tensors = {};
      for (const n of names) out[n] = { dims: [...r[n].dims], data: r[n].data as Float32Array };
      return out;
    },
    async dispose() {
      for (const s of sessions.values()) await (await s).release();
      sessions.clear();
    },
  };
}

/**
 * The quantgpu GPU runtime as a source: the graph is planned without fusion and with the requested values as
 * extra outputs. One plan per set of names and input shape.
 */
export async function gpuSource(graph: Graph, inputShapes: Record<string, number[]>): Promise<ActivationSource> {
  return gpuSessionSource(graph, inputShapes, true);
}

/**
 * The GPU runtime exactly as a deployed session runs a (QDQ) model: fusion on, so a conv + ReLU + Q writes int8 with
 * the runtime's own fixed-point requantization. Requested values are read back without changing that arithmetic
 * (a DequantizeLinear output is the int8 value retagged). What learned rounding calibrates against (learn.ts).
 */
export async function gpuRuntimeSource(graph: Graph, inputShapes: Record<string, number[]>): Promise<ActivationSource> {
  return gpuSessionSource(graph, inputShapes, false);
}

/**
 * Dawn under Node (the `webgpu` package) waits for GPU work by polling: while a map or a work-done promise is
 * pending, its native tick re-queues itself with `setImmediate` (looked up on the global object each time), so the
 * main thread spins on a whole core. On SwiftShader that core is taken from the threads doing the GPU's work: a
 * 50-image ResNet-56 calibration batch on 2 cores took about twice as long (measured: docs/ptq.md, speed).
 * While a calibration run is in flight, native callbacks passed to `setImmediate` go to `setTimeout(.., 1)`
 * instead: the thread sleeps between polls, and a finished run is seen at most about 1 ms later. JavaScript
 * callbacks keep `setImmediate`; nothing the GPU computes changes. Nested uses share one patch (counted).
 */
let calmDepth = 0;
let savedSetImmediate: typeof setImmediate | undefined;
const nativeFn = /\{\s*\[native code\]\s*\}\s*$/;

export async function withCalmGpuPolling<T>(fn: () => Promise<T>): Promise<T> {
  if (calmDepth++ === 0) {
    const original = (savedSetImmediate = globalThis.setImmediate);
    const calm = (cb: (...a: unknown[]) => void, ...args: unknown[]): unknown =>
      typeof cb === 'function' && nativeFn.test(Function.prototype.toString.call(cb)) ? setTimeout(cb, 1, ...args) : original(cb, ...args);
    globalThis.setImmediate = Object.assign(calm, { __promisify__: original.__promisify__ }) as unknown as typeof setImmediate;
  }
  try {
    return await fn();
  } finally {
    if (--calmDepth === 0) globalThis.setImmediate = savedSetImmediate!;
  }
}

async function gpuSessionSource(graph: Graph, inputShapes: Record<string, number[]>, noFusion: boolean): Promise<ActivationSource> {
  const { InferenceSession } = await import('../runtime/session.ts');
  const { acquireNodeDevice } = await import('../node/gpu.ts');
  const context = await acquireNodeDevice();
  const bytes = save(graph);
  const sessions = new Map<string, ReturnType<typeof InferenceSession.create>>();
  return {
    label: `quantgpu WebGPU runtime${noFusion ? ' (no fusion)' : ''}`,
    async run(feeds, names) {
      const shapes = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.dims]));
      const key = JSON.stringify([shapes, [...names].sort()]);
      let s = sessions.get(key);
      if (!s) {
        s = InferenceSession.create(bytes, { context, inputShapes: { ...inputShapes, ...shapes }, outputs: names, noFusion });
        sessions.set(key, s);
      }
      const r = await withCalmGpuPolling(async () => (await s).run(feeds));
      const out: Tensors = {};
      for (const n of names) out[n] = { dims: r[n].dims, data: r[n].data };
      return out;
    },
    async dispose() {
      for (const s of sessions.values()) (await s).dispose();
      sessions.clear();
    },
  };
}
