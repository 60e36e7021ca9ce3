/**
 * The public types of the runtime, shaped like onnxruntime-web's InferenceSession so web developers feel at home.
 * Implemented by `session.ts`.
 */
import type { GpuContext } from '../gpu/device.ts';
import type { PrecisionConfig } from './precision.ts';
import type { Autotuner } from './plan/autotune.ts';
import type { KernelChoice } from './plan/types.ts';

export type Precision = 'fp32' | 'fp16' | 'int8' | 'int4' | 'mixed';

/** A host tensor (ONNX dimension order, e.g. NCHW). */
export interface HostTensor {
  dims: number[];
  data: Float32Array | Int32Array | Int8Array | Uint8Array | BigInt64Array;
  dtype?: 'float32' | 'int32' | 'int8' | 'uint8' | 'int64';
}

/** A tensor that already lives on the GPU (e.g. a preprocessed camera frame): NHWC f32, tightly packed. */
export interface GpuTensor {
  dims: number[];
  buffer: GPUBuffer;
  layout: 'nhwc' | 'nchw' | 'flat';
}

export interface Progress {
  stage: 'load' | 'fold' | 'plan' | 'compile' | 'tune' | 'calibrate';
  done: number;
  total: number;
  message?: string;
}

export interface SessionOptions {
  /** Default precision of every layer (default fp32). A QDQ model runs its quantized layers on integer kernels regardless. */
  precision?: Precision;
  /** Per-layer precision config (see precision.ts); overrides `precision` where it matches. */
  config?: PrecisionConfig;
  /** A device to share (e.g. with the app's renderer); otherwise one is acquired from `navigator.gpu` or `gpu`. */
  context?: GpuContext;
  gpu?: GPU;
  /** Fixed sizes for symbolic input dims, e.g. { batch: 1 }; or full shapes by input name. */
  inputShapes?: Record<string, number[]>;
  /**
   * Time each float conv layer's kernel variants at plan time and keep the fastest. `true` uses a process-wide cache
   * (per adapter and layer shape); pass an Autotuner to share or persist one (exportJSON / importJSON). Default off:
   * a per-device heuristic picks the variant.
   */
  tune?: boolean | Autotuner;
  /** Collect per-step GPU timestamps on each run (when the device supports timestamp-query). */
  profile?: boolean;
  onProgress?: (p: Progress) => void;
  /**
   * Memory order of 4-D float inputs: 'nchw' (ONNX's, default) or 'nhwc' (what the GPU kernels use: a preprocessing
   * shader can then write the model input directly and `runGpu` feeds it without a transpose).
   */
  inputLayout?: 'nchw' | 'nhwc';
  /** Intermediate values to read back as extra outputs of `run()` (e.g. for calibration). */
  outputs?: string[];
  /** Keep every activation as its own value (no activation/residual fusion), e.g. to observe all of them. */
  noFusion?: boolean;
}

export interface StepInfo {
  index: number;
  /** ONNX node name(s) this step came from. */
  node: string;
  op: string;
  kernel: string;
  precision: string;
  inputShapes: number[][];
  outputShape: number[];
  /** Weight bytes on the GPU for this step. */
  weightBytes: number;
  /** Integer convs: kernel family and tile, whether the autotuner chose it, analytic MAC per global byte. */
  choice?: KernelChoice;
}

export interface StepTiming {
  index: number;
  node: string;
  kernel: string;
  ms: number;
}

export interface MemoryStats {
  /** Bytes of weights on the GPU. */
  weightBytes: number;
  /** Peak bytes of activations with the liveness-based buffer plan. */
  activationBytes: number;
  /** What the activations would take with one buffer per tensor. */
  naiveActivationBytes: number;
}
