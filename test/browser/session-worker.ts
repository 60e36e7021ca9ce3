/**
 * The library inside a dedicated Web Worker: InferenceSession acquires its own device from the worker's
 * navigator.gpu, plans the model and runs it. Driven by worker-page.ts; replies with the outputs or the error.
 */
import { InferenceSession } from '../../src/runtime/session.ts';
import type { Precision } from '../../src/runtime/api.ts';

export interface WorkerRequest { model: Uint8Array; input: string; dims: number[]; data: Float32Array; precision?: Precision }
export type WorkerReply =
  | { ok: true; inWorker: boolean; outputs: Record<string, { dims: number[]; data: Float32Array }>; precisions: string[] }
  | { ok: false; message: string };

const scope = self as unknown as { onmessage: ((ev: MessageEvent<WorkerRequest>) => void) | null; postMessage(m: WorkerReply): void };
scope.onmessage = async (ev) => {
  const { model, input, dims, data, precision } = ev.data;
  try {
    const session = await InferenceSession.create(model, { precision });
    try {
      const result = await session.run({ [input]: { dims, data } });
      const outputs = Object.fromEntries(Object.entries(result).map(([k, t]) => [k, { dims: t.dims, data: t.data as Float32Array }]));
      // WorkerGlobalScope exists only in workers: proves this ran off the page's main thread.
      const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined' && typeof document === 'undefined';
      scope.postMessage({ ok: true, inWorker, outputs, precisions: [...new Set(session.steps().map((s) => s.precision))] });
    } finally {
      session.dispose();
    }
  } catch (e) {
    scope.postMessage({ ok: false, message: (e as Error).message || String(e) });
  }
};
