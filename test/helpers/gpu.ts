/** Shared GPU device for Node tests. Fails loudly (never skips) when there is no adapter. */
import { acquireNodeDevice } from '../../src/node/gpu.ts';
import type { GpuContext } from '../../src/gpu/device.ts';

let ctx: Promise<GpuContext> | undefined;
export function testGpu(): Promise<GpuContext> {
  ctx ??= acquireNodeDevice({ label: 'quantgpu-test' });
  return ctx;
}
