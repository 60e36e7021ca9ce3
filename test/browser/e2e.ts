/**
 * The end-to-end case shared by the page and the Node test: ResNet-8 (MLPerf Tiny, CIFAR-10) in FP32 on one
 * seeded random image. The page runs quantgpu's InferenceSession; Node runs onnxruntime-node on the same input.
 */
import { Rng } from './suite.ts';

/** The model file under models/ (committed; served at /models/). */
export const RESNET8_FILE = 'resnet8_cifar10_mlperf_tiny.onnx';
export const RESNET8_INPUT = 'input';
/** The model's batch dimension is symbolic (N): the session is planned for one image. */
export const RESNET8_DIMS = [1, 3, 32, 32];

/** NCHW input in the model's raw pixel range 0..255 (the MLPerf Tiny model takes unnormalized pixels). */
export function resnet8Input(seed: number): Float32Array {
  return new Rng(seed ^ 0x5e58e7).floats(3 * 32 * 32, 0, 255);
}

/** Every output of the model (logits and probs), as plain arrays (they cross the page boundary as JSON). */
export interface E2eResult {
  outputs: Record<string, { dims: number[]; data: number[] }>;
  ms: number;
}
