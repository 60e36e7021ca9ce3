/** onnxruntime-node (CPU): the reference for float outputs. */
import * as ort from 'onnxruntime-node';

export async function ortRun(model: Uint8Array, feeds: Record<string, { dims: number[]; data: Float32Array }>,
  opts: ort.InferenceSession.SessionOptions = {}): Promise<Record<string, { dims: number[]; data: Float32Array }>> {
  const s = await ort.InferenceSession.create(model, opts);
  const t: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) t[k] = new ort.Tensor('float32', v.data, v.dims);
  const r = await s.run(t);
  const out: Record<string, { dims: number[]; data: Float32Array }> = {};
  for (const [k, v] of Object.entries(r)) out[k] = { dims: [...v.dims], data: v.data as Float32Array };
  await s.release();
  return out;
}
