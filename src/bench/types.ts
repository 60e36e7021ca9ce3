/**
 * Records shared by the benchmark page (demos/bench), the Node harness (scripts/bench.ts) and the report.
 * Everything here is plain JSON so that results survive `save JSON` and page.evaluate unchanged.
 */
import type { Precision, StepTiming } from '../runtime/api.ts';

/**
 * quantgpu: our runtime at `precision`. ort-*: onnxruntime-web on the float model; ort-*-qdq: on our QDQ export.
 * tfjs-webgpu: TF.js executing our Graph IR (src/peers/tfjs.ts). ort-node-cpu: onnxruntime-node (harness --node only).
 */
export type RuntimeId = 'quantgpu' | 'ort-webgpu' | 'ort-webgpu-qdq' | 'ort-wasm' | 'ort-wasm-qdq' | 'tfjs-webgpu' | 'ort-node-cpu';
export const RUNTIMES: RuntimeId[] = ['quantgpu', 'ort-webgpu', 'ort-webgpu-qdq', 'ort-wasm', 'ort-wasm-qdq', 'tfjs-webgpu'];

/** The row every ratio is taken against (same model, same size). */
export const BASELINE: RuntimeId = 'ort-webgpu';

/** `timeout`: the harness's per-cell time limit ran out (the cell was abandoned and the page reloaded). */
export type RowStatus = 'ok' | 'unsupported' | 'not available' | 'error' | 'timeout';

/** One model at one input size, as the page and the harness see it. */
export interface ModelRef {
  id: string;
  label: string;
  /** URL (page) of the float ONNX model. */
  url: string;
  /** URLs where QDQ (QuantizeLinear/DequantizeLinear) exports of the same model may be (int8, int4, mixed). */
  qdqUrls?: Partial<Record<'int8' | 'int4' | 'mixed', string>>;
  /** NCHW input dims with batch 1. */
  inputDims: number[];
  /** Range of the random input (the model's expected preprocessing output). */
  inputRange: [number, number];
}

export interface BenchSettings {
  warmup: number;
  frames: number;
  /** Seed of the random input, shared by every runtime so their outputs can be compared. */
  seed: number;
  /**
   * Timed frames stop early once they have taken this long (ms) and at least MIN_TIMED_FRAMES ran: a slow cell
   * reports a median over fewer frames (its `times` says how many) instead of holding up the matrix.
   */
  budgetMs?: number;
}

export interface BenchRow {
  model: string;
  modelLabel: string;
  inputDims: number[];
  runtime: RuntimeId;
  /** quantgpu: the session precision; peers: 'fp32' or 'qdq'. */
  precision: Precision | 'qdq';
  status: RowStatus;
  message?: string;
  /** Session creation time (download excluded): parse, plan, compile. */
  loadMs?: number;
  /** Per timed frame: upload + inference + readback, in ms. */
  times?: number[];
  medianMs?: number;
  p95Ms?: number;
  /** 1000 / medianMs. */
  fps?: number;
  /** Weight bytes resident for inference (quantgpu: on the GPU; peers: model file size). */
  weightBytes?: number;
  /** quantgpu: peak activation bytes of the buffer plan. */
  activationBytes?: number;
  /** quantgpu with profile: per-step GPU time of the last frame. */
  profile?: StepTiming[];
  /** First output of the last frame, first 4096 values (for cross-runtime checks). */
  output?: { name: string; dims: number[]; values: number[] };
  /** Filled by the harness: medianMs of BASELINE on the same model / medianMs of this row. */
  speedup?: number;
}

export interface BenchReport {
  date: string;
  userAgent: string;
  adapter: string;
  settings: BenchSettings;
  rows: BenchRow[];
}
