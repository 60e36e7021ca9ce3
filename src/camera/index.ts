/**
 * quantgpu/camera: real-time detection on video frames, and the pre/post-processing it is made of (letterbox
 * geometry, decoders, NMS), for apps that bring their own loop. Browser entry: no Node-only imports.
 */
export { CameraSource, type CameraOptions } from './source.ts';
export { GpuPreprocessor, preprocessKernel, type FrameInput, type GpuPreprocessorOptions, type InputLayout } from './preprocess.ts';
export { FrameDetector, CONVENTIONS, type DetectorOptions, type FrameResult, type InputConvention, type StageTimes } from './detector.ts';
export { drawDetections, frameToDisplay, classColor, type DrawnBox } from './overlay.ts';
export { fetchModel, withInputSize } from './model.ts';
export { COCO80_NAMES } from './coco-names.ts';
export { letterbox, boxesToFrame, transformBoxes, inverseAffine, type Letterbox, type LetterboxAlign, type LetterboxOptions } from '../pre/letterbox.ts';
export {
  preprocessNCHW, channelAffine, YOLOX_PIXELS, YOLO_ULTRALYTICS_PIXELS, FASTESTDET_PIXELS, IMAGENET_PIXELS,
  type PixelTransform, type RgbaImage,
} from '../pre/preprocess.ts';
export { decodeYolox, decodeYolov5, decodeYolov8, decodeFastestDet, YOLOV5_ANCHORS, type DecodeOptions } from '../post/decode.ts';
export { detectDecoder, decodeOutput, postprocess, type DecoderChoice, type DecoderKind } from '../post/detect.ts';
export { nms, nmsDetections, boxIou, selectDetections, detectionsToFrame, type Detections, type NmsOptions } from '../post/detections.ts';
