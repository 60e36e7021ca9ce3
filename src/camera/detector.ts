/**
 * A detector for video frames: GPU preprocessing -> quantgpu session -> decode -> NMS -> boxes in frame pixels.
 * The decoder is chosen from the model's output shape (or given), and with it the model family's input
 * conventions (channel order, scale, letterbox alignment). Shared by the camera demo and the example app.
 *
 *   const det = await FrameDetector.create(modelUrl, { precision: 'fp32', context });
 *   const { detections, times } = await det.detect({ source: video, width, height });
 */
import type { GpuContext } from '../gpu/device.ts';
import { type Letterbox, type LetterboxAlign, letterbox } from '../pre/letterbox.ts';
import { FASTESTDET_PIXELS, type PixelTransform, YOLOX_PIXELS, YOLO_ULTRALYTICS_PIXELS } from '../pre/preprocess.ts';
import { type DecoderChoice, type DecoderKind, detectDecoder, postprocess } from '../post/detect.ts';
import type { Detections } from '../post/detections.ts';
import type { Precision, SessionOptions } from '../runtime/api.ts';
import type { PrecisionConfig } from '../runtime/precision.ts';
import { InferenceSession } from '../runtime/session.ts';
import { type FrameInput, GpuPreprocessor } from './preprocess.ts';

/** How a model family wants its pixels. */
export interface InputConvention {
  pixels: PixelTransform;
  align: LetterboxAlign;
}

/** The conventions of the supported families (their reference exports). */
export const CONVENTIONS: Record<DecoderKind, InputConvention> = {
  yolox: { pixels: YOLOX_PIXELS, align: 'top-left' },
  yolov5: { pixels: YOLO_ULTRALYTICS_PIXELS, align: 'center' },
  yolov8: { pixels: YOLO_ULTRALYTICS_PIXELS, align: 'center' },
  fastestdet: { pixels: FASTESTDET_PIXELS, align: 'stretch' },
};

export interface DetectorOptions {
  precision?: Precision;
  config?: PrecisionConfig;
  /** Share a device (e.g. with the page's renderer and other sessions). */
  context?: GpuContext;
  /** `auto` (default) picks from the output shape. */
  decoder?: DecoderKind | 'auto';
  /** Override the family's pixel transform or alignment. */
  pixels?: PixelTransform;
  align?: LetterboxAlign;
  /** Mirror the frame before the model (front cameras). */
  mirror?: boolean;
  confThreshold?: number;
  iouThreshold?: number;
  maxDetections?: number;
  /**
   * `gpu` (default): the preprocessed tensor stays on the GPU and feeds the session (`runGpu`, NHWC, no transpose,
   * no readback). `host`: read it back and call `run` (the pre-`runGpu` path, kept for comparison and debugging).
   */
  feed?: 'gpu' | 'host';
  /** Extra session options (inputShapes, profile, onProgress). */
  session?: Omit<SessionOptions, 'precision' | 'config' | 'context' | 'inputLayout'>;
}

/** Milliseconds per stage of one frame. */
export interface StageTimes {
  /**
   * Frame to texture and the letterbox/normalize dispatch. With `feed: 'gpu'` this is CPU time to encode: the
   * kernel's GPU time is counted in `inference` (same queue). With `feed: 'host'` it includes the readback.
   */
  preprocess: number;
  /** Until the outputs are on the host. */
  inference: number;
  /** Decode, NMS, boxes to frame pixels. */
  postprocess: number;
}

export interface FrameResult {
  /** Boxes in frame pixels (x1, y1, x2, y2), highest score first. */
  detections: Detections;
  /** The frame -> model-input geometry used (its inverse mapped the boxes back). */
  letterbox: Letterbox;
  /** Whether this frame was mirrored (the setting when the frame started). */
  mirrored: boolean;
  times: StageTimes;
}

export class FrameDetector {
  mirror: boolean;
  confThreshold: number;
  iouThreshold: number;
  maxDetections: number;
  private lb?: { key: string; value: Letterbox };

  private constructor(
    readonly session: InferenceSession,
    readonly decoder: DecoderChoice,
    readonly convention: InputConvention,
    private readonly pre: GpuPreprocessor,
    private readonly inputName: string,
    private readonly inputDims: number[],
    readonly feed: 'gpu' | 'host',
    opts: DetectorOptions,
  ) {
    this.mirror = opts.mirror ?? false;
    this.confThreshold = opts.confThreshold ?? 0.3;
    this.iouThreshold = opts.iouThreshold ?? 0.45;
    this.maxDetections = opts.maxDetections ?? 100;
  }

  /** Loads and plans the model, picks the decoder, compiles the preprocessing kernel. */
  static async create(model: Uint8Array | ArrayBuffer | string, opts: DetectorOptions = {}): Promise<FrameDetector> {
    const feed = opts.feed ?? 'gpu';
    const layout = feed === 'gpu' ? 'nhwc' : 'nchw';
    const session = await InferenceSession.create(model, {
      ...opts.session, precision: opts.precision, config: opts.config, context: opts.context, inputLayout: layout,
    });
    try {
      const [inputName] = session.inputNames;
      const dims = session.inputShapes[inputName];
      if (session.inputNames.length !== 1 || dims.length !== 4 || dims[0] !== 1 || dims[1] !== 3) {
        throw new Error(`FrameDetector: expected one image input [1, 3, H, W], the model has ${session.inputNames.map((n) => `${n} [${session.inputShapes[n]}]`).join(', ')}`);
      }
      const outShapes = session.graph.outputs.map((o) => o.shape.map(Number));
      const auto = detectDecoder(outShapes);
      const decoder = !opts.decoder || opts.decoder === 'auto' ? auto : { ...auto, kind: opts.decoder };
      const family = CONVENTIONS[decoder.kind];
      const convention = { pixels: opts.pixels ?? family.pixels, align: opts.align ?? family.align };
      const pre = await GpuPreprocessor.create(session.context.device, { inputWidth: dims[3], inputHeight: dims[2], pixels: convention.pixels, layout });
      return new FrameDetector(session, decoder, convention, pre, inputName, dims, feed, opts);
    } catch (e) {
      session.dispose();
      throw e;
    }
  }

  get inputWidth(): number {
    return this.inputDims[3];
  }
  get inputHeight(): number {
    return this.inputDims[2];
  }

  /** The frame -> model-input letterbox for a frame size (cached while size and mirroring stay the same). */
  letterboxFor(width: number, height: number): Letterbox {
    const key = `${width}x${height}${this.mirror ? ' mirrored' : ''}`;
    if (this.lb?.key !== key) {
      this.lb = { key, value: letterbox(width, height, this.inputWidth, this.inputHeight, { align: this.convention.align, mirror: this.mirror }) };
    }
    return this.lb.value;
  }

  /** Runs one frame through the whole chain. */
  async detect(frame: FrameInput): Promise<FrameResult> {
    const t0 = performance.now();
    const mirrored = this.mirror;
    const lb = this.letterboxFor(frame.width, frame.height);
    await this.pre.upload(frame);
    this.pre.setLetterbox(lb);
    let t1: number;
    let outputs: Awaited<ReturnType<InferenceSession['run']>>;
    if (this.feed === 'gpu') {
      // Submitted before the session's own submit on the same queue: the model reads the finished tensor.
      this.pre.submit();
      t1 = performance.now();
      outputs = await this.session.runGpu({ [this.inputName]: { dims: this.inputDims, buffer: this.pre.output, layout: 'nhwc' } });
    } else {
      const data = await this.pre.runToHost();
      t1 = performance.now();
      outputs = await this.session.run({ [this.inputName]: { dims: this.inputDims, data } });
    }
    const t2 = performance.now();
    const out = outputs[this.session.outputNames[0]];
    const detections = postprocess(this.decoder, out.data, out.dims, lb, {
      confThreshold: this.confThreshold, iouThreshold: this.iouThreshold, maxDetections: this.maxDetections,
    });
    const t3 = performance.now();
    return { detections, letterbox: lb, mirrored, times: { preprocess: t1 - t0, inference: t2 - t1, postprocess: t3 - t2 } };
  }

  /** The last uploaded frame as RGBA8, read back from the GPU (for tests: the exact pixels the model saw). */
  readFrame(): ReturnType<GpuPreprocessor['readFrame']> {
    return this.pre.readFrame();
  }

  dispose(): void {
    this.pre.dispose();
    this.session.dispose();
  }
}
