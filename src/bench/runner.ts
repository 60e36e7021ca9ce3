/**
 * The benchmark loop shared by the page and the Node harness: warm-up frames, then timed frames, each covering
 * upload + inference + readback (what an app pays per frame), summarised as median and p95.
 */
import type { Precision } from '../runtime/api.ts';
import { median, percentile } from './stats.ts';
import type { BenchRow, BenchSettings, ModelRef, RowStatus, RuntimeId } from './types.ts';

export interface FrameOutput {
  name: string;
  dims: number[];
  data: Float32Array;
}

/** One runtime loaded with one model. */
export interface FrameRunner {
  /** Runs one frame on host input (NCHW) and returns the first output, on the host. */
  run(input: Float32Array, dims: number[]): Promise<FrameOutput>;
  weightBytes?: number;
  /** Extra fields after the timed frames (quantgpu: profile, memory). */
  extras?(): Partial<BenchRow>;
  describe?(): string;
  dispose(): Promise<void> | void;
}

/** Creates a runner; throws `Error('unsupported: ...')` or `Error('not available: ...')` for those statuses. */
export type RunnerFactory = (bytes: Uint8Array) => Promise<FrameRunner>;

/** Deterministic input in `range` (mulberry32), identical for every runtime given the same seed. */
export function makeInput(dims: number[], range: [number, number], seed: number): Float32Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = range[0] + (range[1] - range[0]) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

function statusOf(e: unknown): [RowStatus, string] {
  const msg = e instanceof Error ? e.message : String(e);
  if (/^not available/i.test(msg)) return ['not available', msg.replace(/^not available:\s*/i, '')];
  if (/unsupported|not supported|not implemented/i.test(msg) || (e as Error)?.name === 'UnsupportedError') return ['unsupported', msg];
  return ['error', msg];
}

const now = () => performance.now();

/** The fewest timed frames a cell reports, however slow it is (BenchSettings.budgetMs). */
export const MIN_TIMED_FRAMES = 3;

/** Benchmarks one (model, runtime, precision) cell. Never throws: failures become the row's status. */
export async function benchCell(
  model: ModelRef,
  bytes: Uint8Array | undefined,
  runtime: RuntimeId,
  precision: Precision | 'qdq',
  factory: RunnerFactory,
  settings: BenchSettings,
  log: (msg: string) => void = () => {},
): Promise<BenchRow> {
  const row: BenchRow = { model: model.id, modelLabel: model.label, inputDims: model.inputDims, runtime, precision, status: 'ok' };
  if (!bytes) return { ...row, status: 'not available', message: runtime.endsWith('-qdq') ? 'no QDQ export of this model' : 'model bytes missing' };
  let runner: FrameRunner | undefined;
  try {
    const t0 = now();
    runner = await factory(bytes);
    row.loadMs = now() - t0;
    row.weightBytes = runner.weightBytes;
    const input = makeInput(model.inputDims, model.inputRange, settings.seed);
    let out: FrameOutput | undefined;
    for (let i = 0; i < settings.warmup; i++) out = await runner.run(input, model.inputDims);
    const times: number[] = [];
    const timed0 = now();
    for (let i = 0; i < settings.frames; i++) {
      if (settings.budgetMs !== undefined && i >= MIN_TIMED_FRAMES && now() - timed0 > settings.budgetMs) {
        log(`${model.id} ${runtime}/${precision}: stopped after ${i} timed frames (budget ${settings.budgetMs} ms)`);
        break;
      }
      const t = now();
      out = await runner.run(input, model.inputDims);
      times.push(now() - t);
      log(`${model.id} ${runtime}/${precision}: frame ${i + 1}/${settings.frames} ${times[i].toFixed(1)} ms`);
    }
    Object.assign(row, { times, medianMs: median(times), p95Ms: percentile(times, 95) });
    row.fps = 1000 / row.medianMs!;
    if (out) row.output = { name: out.name, dims: out.dims, values: Array.from(out.data.subarray(0, 4096)) };
    Object.assign(row, runner.extras?.() ?? {});
    if (runner.describe) row.message = runner.describe();
  } catch (e) {
    [row.status, row.message] = statusOf(e);
    log(`${model.id} ${runtime}/${precision}: ${row.status}: ${row.message}`);
  } finally {
    try {
      await runner?.dispose();
    } catch {
      /* a failed dispose must not hide the row's result */
    }
  }
  return row;
}
