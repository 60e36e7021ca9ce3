/**
 * Per-step GPU time from timestamp queries (one compute pass per step while profiling). Lives outside the hot
 * path: an unprofiled plan encodes a single pass and never touches this.
 */
export class Profiler {
  last: number[] = [];
  private pending = false;

  private constructor(
    private readonly querySet: GPUQuerySet,
    private readonly resolveBuf: GPUBuffer,
    private readonly readBuf: GPUBuffer,
    private readonly steps: number,
  ) {}

  /** Undefined when the device has no timestamp-query. */
  static create(device: GPUDevice, steps: number): Profiler | undefined {
    if (!device.features.has('timestamp-query')) return undefined;
    const count = steps * 2;
    const querySet = device.createQuerySet({ label: 'profiler', type: 'timestamp', count });
    const resolveBuf = device.createBuffer({ label: 'profiler:resolve', size: count * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const readBuf = device.createBuffer({ label: 'profiler:read', size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    return new Profiler(querySet, resolveBuf, readBuf, steps);
  }

  writes(step: number): GPUComputePassTimestampWrites {
    return { querySet: this.querySet, beginningOfPassWriteIndex: step * 2, endOfPassWriteIndex: step * 2 + 1 };
  }

  resolve(enc: GPUCommandEncoder): void {
    enc.resolveQuerySet(this.querySet, 0, this.steps * 2, this.resolveBuf, 0);
    enc.copyBufferToBuffer(this.resolveBuf, 0, this.readBuf, 0, this.steps * 16);
    this.pending = true;
  }

  async collect(): Promise<void> {
    if (!this.pending) return;
    await this.readBuf.mapAsync(GPUMapMode.READ);
    const t = new BigInt64Array(this.readBuf.getMappedRange().slice(0));
    this.readBuf.unmap();
    this.pending = false;
    this.last = Array.from({ length: this.steps }, (_, i) => Math.max(0, Number(t[2 * i + 1] - t[2 * i]) / 1e6));
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuf.destroy();
    this.readBuf.destroy();
  }
}
