/**
 * quantgpu/ptq: post-training quantization under Node (calibrate, quantize to a QDQ ONNX model, mixed int4/int8
 * search, evaluate). Node entry: it reads datasets from disk, and its float reference is the optional
 * onnxruntime-node package; the GPU source needs the optional `webgpu` package. See docs/ptq.md.
 */
export { quantize, calibrateGraph, floatGraph, fakeQuantRunner, AUTO_METHODS, type QuantizeOptions, type QuantizeResult, type WeightMode } from './quantize.ts';
export { calibrationSet, calibrate, activationParams, type CalibrationSet, type CalibrationStats, type CalibrateOptions } from './calibrate.ts';
export {
  openDataset, datasetSize, datasetLabels, calibrationFrom, modelProfile, cocoInput,
  type Dataset, type CifarData, type CocoData, type ImagesData, type NpyData, type ModelProfile, type PixelsName,
} from './datasets.ts';
export { imageBatches, loadImageBatch, npyBatches, DecodeStats } from './image-batches.ts';
export { listImages, openImageFolder, readImageList, openNpyBatches, evenlySpaced, type ImageFiles } from '../eval/image-folder.ts';
export { decodeImage, readImage, loadSharp } from '../eval/image.ts';
export { evaluate, gpuRunner, ortRunner, type Runner, type EvalOptions, type EvalResult } from './evaluate.ts';
export { gpuSource, ortSource, type ActivationSource, type SourceFactory, type Tensors } from './source.ts';
export { searchMixed, type MixedResult, type MixedSearchOptions } from './mixed.ts';
export { sensitivityTable, sensitivitySvg } from './report.ts';
export { load as loadModel } from '../runtime/onnx/load.ts';
export { save as saveModel } from '../runtime/onnx/save.ts';
export type { Graph } from '../runtime/ir.ts';
export { MissingPackageError } from '../node/optional.ts';
