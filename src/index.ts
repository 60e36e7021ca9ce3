/**
 * quantgpu: quantized conv nets on WebGPU. Browser entry (no Node-only imports).
 */
export { InferenceSession } from './runtime/session.ts';
export { Tensor, type TensorType, type FeedValue } from './runtime/tensor.ts';
export type { HostTensor, GpuTensor, Precision, Progress, SessionOptions, StepInfo, StepTiming, MemoryStats } from './runtime/api.ts';
export { type PrecisionConfig, type LayerPrecision, layerPrecision, parsePrecisionConfig, uniformConfig } from './runtime/precision.ts';
export { checkConfigLayers, unmatchedLayers, type UnmatchedEntry } from './runtime/precision-check.ts';
export { PRECISION_NAMES, PRECISION_MEANING, PRECISION_ALIASES, precisionName, sessionPrecision, type PrecisionName } from './runtime/precision-names.ts';
export { acquireDevice, type GpuContext } from './gpu/device.ts';
export type { DeviceCaps } from './shaders/kernel.ts';
export { ModelError } from './runtime/ir.ts';
export { Autotuner, type TuneStore } from './runtime/plan/autotune.ts';
export { indexedDbTuneStore } from './gpu/tune-store.ts';

// Pre- and post-processing (also in 'quantgpu/camera' with the frame pipeline).
export { letterbox, boxesToFrame, transformBoxes, type Letterbox, type LetterboxOptions } from './pre/letterbox.ts';
export { preprocessNCHW, YOLOX_PIXELS, YOLO_ULTRALYTICS_PIXELS, FASTESTDET_PIXELS, IMAGENET_PIXELS, type PixelTransform } from './pre/preprocess.ts';
export { decodeYolox, decodeYolov5, decodeYolov8, decodeFastestDet } from './post/decode.ts';
export { detectDecoder, decodeOutput, postprocess, type DecoderChoice } from './post/detect.ts';
export { nms, type Detections, type NmsOptions } from './post/detections.ts';

// Declared preprocessing (the spec `quantgpu quantize` records in its config JSON) and its browser decoder.
export {
  preset, describePreprocess, validatePreprocess, outputSize, pixelTransform, PRESETS, type PreprocessSpec, type PresetName,
} from './pre/spec.ts';
export { applyPreprocess, type Preprocessed } from './pre/apply.ts';
export { preprocessFromOptions, type PreprocessOptions } from './pre/overrides.ts';
export { decodeBrowserImage, preprocessImage, preprocessFromConfig } from './pre/browser.ts';

// Planning without a device: the plan a session would make for a device profile, and its description.
export { DEVICE_PROFILES, deviceProfile, targetOf, type PlanTarget, type PlanLimits } from './gpu/profiles.ts';
export { planModel, buildPlan, type Plan } from './runtime/plan/build.ts';
export { describePlan } from './runtime/plan/describe.ts';
