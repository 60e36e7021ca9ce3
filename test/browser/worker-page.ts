/** Page side of the Web Worker test: `window.runInWorker(...)` runs a model in a fresh worker (session-worker.ts). */
import type { Precision } from '../../src/runtime/api.ts';
import type { WorkerReply } from './session-worker.ts';

declare global {
  interface Window {
    workerPageReady: boolean;
    runInWorker: (modelBase64: string, input: string, dims: number[], data: number[], precision?: Precision) => Promise<
      { ok: true; inWorker: boolean; outputs: Record<string, { dims: number[]; data: number[] }>; precisions: string[] } | { ok: false; message: string }>;
  }
}

window.runInWorker = (modelBase64, input, dims, data, precision) => new Promise((resolve) => {
  const worker = new Worker(new URL('./session-worker.ts', import.meta.url), { type: 'module' });
  const model = Uint8Array.from(atob(modelBase64), (c) => c.charCodeAt(0));
  worker.onmessage = (ev: MessageEvent<WorkerReply>) => {
    worker.terminate();
    const r = ev.data;
    resolve(r.ok ? { ...r, outputs: Object.fromEntries(Object.entries(r.outputs).map(([k, t]) => [k, { dims: t.dims, data: Array.from(t.data) }])) } : r);
  };
  worker.onerror = (ev) => resolve({ ok: false, message: `worker error: ${ev.message}` });
  worker.postMessage({ model, input, dims, data: Float32Array.from(data), precision }, [model.buffer]);
});
window.workerPageReady = true;
document.getElementById('log')!.textContent = 'ready';
