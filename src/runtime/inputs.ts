/**
 * Host input checks and copies done before upload, kept apart from `session.ts` so that input types can grow
 * without touching the run path.
 */
/**
 * The data as a Float32Array over a plain ArrayBuffer. Data backed by a SharedArrayBuffer is copied first: Dawn's
 * writeBuffer under Node crashes the process on shared memory, and another thread may change it mid-upload.
 */
export function uploadable(data: Float32Array): Float32Array<ArrayBuffer> {
  if (typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer) return new Float32Array(data);
  return data as Float32Array<ArrayBuffer>;
}

/**
 * Rejects NaN and +-Inf in the input of a model that quantizes its activations: quantizing them gives finite,
 * wrong values (there is no int8 NaN), so the only honest answer is an error. Float models instead let NaN and
 * Inf flow through, as onnxruntime does. GPU-buffer inputs (`runGpu`) are not checked: reading them back would
 * cost a round trip per frame.
 */
export function checkFinite(name: string, data: Float32Array): void {
  // x * 0 is 0 for every finite x and NaN for NaN and +-Inf, so the sum is NaN iff some value is not finite: a
  // branch-free pass, then a second pass only to name the first bad index.
  let acc = 0;
  for (let i = 0; i < data.length; i++) acc += data[i] * 0;
  if (acc === 0) return;
  for (let i = 0; i < data.length; i++) {
    if (data[i] - data[i] !== 0) {
      throw new Error(`quantgpu: input '${name}' holds ${data[i]} at index ${i}; this model quantizes its activations to int8, ` +
        'which has no NaN or infinity, so non-finite inputs are refused');
    }
  }
}
