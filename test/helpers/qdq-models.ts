/**
 * The four asset models as test/qdq-assets.test.ts and scripts/qdq-output-sqnr.ts quantize them: our own
 * `quantize()` (minmax, two calibration batches, one search batch), W8A8 / W4A8 / mixed. One place, so that the
 * script measures exactly the exports the test checks. No vitest import: the script runs it under plain Node.
 */
import { quantize, type WeightMode } from '../../src/ptq/quantize.ts';
import { calibrationSet } from '../../src/ptq/calibrate.ts';
import { ortSource } from '../../src/ptq/source.ts';
import { CIFAR_RAW, CIFAR_RESNET20, readCifarBatch } from '../../src/eval/cifar.ts';
import { readAsset } from '../../src/eval/assets.ts';
import type { Rng } from './random.ts';

type Float = { dims: number[]; data: Float32Array };

/** An asset model and how to draw its inputs (`i` = 0 is the evaluated input, 1 and 2 calibrate). */
export interface QdqModel {
  file: string;
  input: string;
  dims: number[];
  data: (rng: Rng, i: number) => Float32Array;
  /** Minutes per run on SwiftShader: the test runs it only under QDQ_SLOW=1. */
  slow?: boolean;
}

const cifar = (pre: typeof CIFAR_RAW) => (rng: Rng, i: number) =>
  readCifarBatch(readAsset('data/cifar10_test_1000.bin'), pre, i === 0 ? rng.int(500, 999) : i, 1).images;
const pixels = (n: number) => (rng: Rng) => rng.floats(n, 0, 255);

export const QDQ_MODELS: QdqModel[] = [
  { file: 'resnet20_cifar10.onnx', input: 'input', dims: [1, 3, 32, 32], data: cifar(CIFAR_RESNET20) },
  { file: 'resnet8_cifar10_mlperf_tiny.onnx', input: 'input', dims: [1, 3, 32, 32], data: cifar(CIFAR_RAW) },
  { file: 'yolox_nano_coco_416.onnx', input: 'images', dims: [1, 3, 416, 416], data: pixels(3 * 416 * 416), slow: true },
  { file: 'fastestdet_coco_352.onnx', input: 'input.1', dims: [1, 3, 352, 352], data: (rng) => rng.floats(3 * 352 * 352, 0, 1), slow: true },
];

export const WEIGHT_MODES: WeightMode[] = ['int8', 'int4', 'mixed'];

/** Quantizes `m` (calibrated on inputs 1 and 2) and returns the QDQ bytes and the evaluated feeds (input 0). */
export async function quantizeAsset(m: QdqModel, weights: WeightMode, rng: Rng): Promise<{ bytes: Uint8Array; feeds: Record<string, Float> }> {
  const batch = (i: number) => ({ [m.input]: { dims: m.dims, data: m.data(rng, i) } });
  const calib = calibrationSet([1, 2].map(batch));
  const q = await quantize(readAsset(`models/${m.file}`), calib, { method: 'minmax', weights, source: (g) => ortSource(g), searchBatches: 1 });
  return { bytes: q.bytes, feeds: batch(0) };
}
