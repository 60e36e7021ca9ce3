/** onnxruntime-node (CPU): the reference for float outputs. */
import type * as ort from 'onnxruntime-node';
import { ortRunModel } from '../fixtures/ort-run.ts';

type Float = { dims: number[]; data: Float32Array };

/** Runs float feeds and returns float outputs (graph optimizations as `opts` says, default all). */
export async function ortRun(model: Uint8Array, feeds: Record<string, Float>, opts: ort.InferenceSession.SessionOptions = {}): Promise<Record<string, Float>> {
  const typed = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, { dtype: 'float32' as const, ...v }]));
  const r = await ortRunModel(model, typed, opts);
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { dims: v.dims, data: v.data as Float32Array }]));
}
