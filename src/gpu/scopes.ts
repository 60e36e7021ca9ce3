/**
 * Error scopes around synchronous WebGPU work. Without them a validation or out-of-memory error only reaches the
 * device's `uncapturederror` event, and the call that caused it carries on with invalid objects (a run would then
 * return zeros). `fn` must not await: scopes are a per-device stack, and an await would let other work on the same
 * device push and pop in between.
 */

const FILTERS: GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

/**
 * Runs `fn` inside validation, out-of-memory and internal error scopes; rejects with the first WebGPU error's
 * message, prefixed by `what` (the step being done), or resolves with `fn`'s result.
 */
export async function scoped<T>(device: GPUDevice, what: string, fn: () => T): Promise<T> {
  FILTERS.forEach((f) => device.pushErrorScope(f));
  let value: T;
  let thrown: unknown;
  try {
    value = fn();
  } catch (e) {
    thrown = e;
  }
  const errors = await Promise.all(FILTERS.map(() => device.popErrorScope()));
  if (thrown !== undefined) throw thrown;
  const err = errors.find((e) => e);
  if (err) throw new Error(`quantgpu: WebGPU ${errorKind(err)} while ${what}: ${err.message || '(no message from the device)'}`);
  return value!;
}

function errorKind(e: GPUError): string {
  if (typeof GPUOutOfMemoryError !== 'undefined' && e instanceof GPUOutOfMemoryError) return 'out-of-memory error';
  if (typeof GPUValidationError !== 'undefined' && e instanceof GPUValidationError) return 'validation error';
  return 'error';
}
