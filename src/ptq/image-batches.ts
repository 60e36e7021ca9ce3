/**
 * Model-input batches streamed from files: images decoded and preprocessed per batch (with the next batch decoding
 * while the model runs on this one), or `.npy` batches read one file at a time. At most two batches are in memory.
 */
import { readFileSync } from 'node:fs';
import { readImage } from '../eval/image.ts';
import type { NpyFiles } from '../eval/image-folder.ts';
import { readNpy } from '../io/npy.ts';
import { applyPreprocess } from '../pre/apply.ts';
import type { PreprocessSpec } from '../pre/spec.ts';
import type { CalibrationSet } from './calibrate.ts';

/** Decoding throughput, for progress bars and the CLI's summary line. */
export class DecodeStats {
  images = 0;
  /** Wall milliseconds during which at least one batch was loading (decode + preprocess; overlaps counted once). */
  ms = 0;
  private active = 0;
  private since = 0;
  begin(): void {
    if (this.active++ === 0) this.since = performance.now();
  }
  end(images: number): void {
    this.images += images;
    if (--this.active === 0) this.ms += performance.now() - this.since;
  }
  get perSecond(): number {
    return this.ms > 0 ? (this.images * 1000) / this.ms : 0;
  }
  note(): string {
    return this.images ? `decode ${this.perSecond.toFixed(0)} images/s` : '';
  }
}

/** Files decoded at once: sharp decodes in libuv's pool (4 threads by default), so more would only queue. */
const CONCURRENCY = 4;

/** Decodes and preprocesses `files` into one batch tensor; every image must come out `want` = [d1, d2, d3]. */
export async function loadImageBatch(files: readonly string[], spec: PreprocessSpec, want?: number[]): Promise<{ dims: number[]; data: Float32Array }> {
  let item: number[] | undefined;
  let data: Float32Array | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const p = applyPreprocess(await readImage(files[i]), spec, files[i]);
      const dims = p.dims.slice(1);
      if (want && dims.join() !== want.join()) {
        throw new Error(`preprocess: ${files[i]} became [${dims}] but the model input wants [${want}] (set --resize/--crop/--letterbox)`);
      }
      if (item && dims.join() !== item.join()) throw new Error(`preprocess: ${files[i]} became [${dims}] but ${files[0]} became [${item}]; add a crop or an exact resize`);
      item ??= dims;
      data ??= new Float32Array(files.length * p.data.length);
      data.set(p.data, i * p.data.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  return { dims: [files.length, ...item!], data: data! };
}

/**
 * Files [start, end) in batches of `batch` under the model input `input`. In a sequential pass (batch i asked
 * right after i - 1, as calibration and evaluation read) asking for batch i also starts decoding batch i + 1, so
 * decoding overlaps the model.
 */
export function imageBatches(files: readonly string[], spec: PreprocessSpec, input: string, start: number, end: number, batch: number, opts: { want?: number[]; stats?: DecodeStats } = {}): CalibrationSet {
  const count = Math.ceil((end - start) / batch);
  const pending = new Map<number, Promise<{ dims: number[]; data: Float32Array }>>();
  let last = -1;
  const load = (i: number) => {
    const s = start + i * batch;
    const slice = files.slice(s, Math.min(end, s + batch));
    opts.stats?.begin();
    return loadImageBatch(slice, spec, opts.want).finally(() => opts.stats?.end(slice.length));
  };
  return {
    count,
    batch: async (i) => {
      if (i < 0 || i >= count) throw new Error(`image batches: batch ${i} of ${count}`);
      const p = pending.get(i) ?? load(i);
      pending.delete(i);
      const sequential = i === last + 1;
      last = i;
      if (sequential && i + 1 < count && !pending.has(i + 1)) {
        const ahead = load(i + 1);
        ahead.catch(() => undefined); // reported when that batch is asked for
        pending.set(i + 1, ahead);
      }
      return { [input]: await p };
    },
  };
}

/** Images [start, end) of `.npy` batches, regrouped into batches of at most `batch` (files read when needed). */
export function npyBatches(n: NpyFiles, input: string, start: number, end: number, batch: number, want?: number[]): CalibrationSet {
  if (want && n.item.join() !== want.join()) throw new Error(`npy: batches hold [${n.item}] images but the model input wants [${want}]`);
  const per = n.item.reduce((a, b) => a * b, 1);
  const offsets = n.counts.reduce<number[]>((acc, c) => [...acc, acc.at(-1)! + c], [0]);
  let cached: { file: number; data: Float32Array } | undefined;
  const fileData = (f: number): Float32Array => {
    if (cached?.file !== f) cached = { file: f, data: readNpy(new Uint8Array(readFileSync(n.files[f]))).data as Float32Array };
    return cached.data;
  };
  return {
    count: Math.ceil((end - start) / batch),
    batch: async (b) => {
      const s = start + b * batch;
      const e = Math.min(end, s + batch);
      const data = new Float32Array((e - s) * per);
      for (let k = s; k < e; k++) {
        const f = offsets.findIndex((o, j) => k >= o && k < offsets[j + 1]);
        data.set(fileData(f).subarray((k - offsets[f]) * per, (k - offsets[f] + 1) * per), (k - s) * per);
      }
      return { [input]: { dims: [e - s, ...n.item], data } };
    },
  };
}
