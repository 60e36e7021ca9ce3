/**
 * The camera demo's loop: next video frame -> FrameDetector (GPU preprocessing, session, decode, NMS) -> overlay.
 * Model or precision changes build a new detector beside the running one; the loop swaps it in between frames
 * and disposes the old one, so a failed switch leaves the demo running as it was.
 */
import { type CameraSource, type DetectorOptions, type DrawnBox, FrameDetector, type StageTimes, COCO80_NAMES, drawDetections, frameToDisplay } from '../../src/camera/index.ts';
import type { GpuContext } from '../../src/gpu/device.ts';

/** Stage times of a frame, with drawing. */
export type FrameTimes = StageTimes & { draw: number };

/** What tests read: the exact pixels of one processed frame and what was drawn over it. */
export interface Snapshot {
  frameIndex: number;
  width: number;
  height: number;
  /** RGBA8 pixels the preprocessing kernel read, base64. */
  rgbaBase64: string;
  drawn: DrawnBox[];
  mirror: boolean;
  inputSize: [number, number];
  decoder: string;
}

export interface AppStats {
  frames: number;
  fps: number;
  times: FrameTimes;
  detections: number;
  errors: string[];
}

const ema = (old: number, v: number, k = 0.2): number => (Number.isFinite(old) ? old + k * (v - old) : v);

export class CameraApp {
  detector?: FrameDetector;
  readonly stats: AppStats = { frames: 0, fps: NaN, detections: 0, errors: [], times: { preprocess: NaN, inference: NaN, postprocess: NaN, draw: NaN } };
  lastDrawn: DrawnBox[] = [];
  private next?: { det: FrameDetector; live: () => void; superseded: (e: Error) => void };
  private running = false;
  private lastFrameAt = NaN;
  private waiters: { resolve: (s: Snapshot) => void; reject: (e: Error) => void }[] = [];
  private readonly ctx2d: CanvasRenderingContext2D;

  constructor(
    readonly source: CameraSource,
    readonly canvas: HTMLCanvasElement,
    readonly gpu: GpuContext,
    private readonly onFrame: (app: CameraApp) => void,
    private readonly onError: (message: string) => void,
  ) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('camera demo: no 2D context for the overlay canvas');
    this.ctx2d = ctx;
  }

  /**
   * Builds a detector for `model` and queues it; resolves once the loop runs it (throws if building fails, or if
   * another load replaced it before it ran).
   */
  async load(model: Uint8Array, opts: Omit<DetectorOptions, 'context'>): Promise<FrameDetector> {
    const det = await FrameDetector.create(model, { ...opts, context: this.gpu });
    if (this.next) {
      this.next.det.dispose();
      this.next.superseded(new Error('replaced by a newer model or precision before it ran'));
    }
    await new Promise<void>((live, superseded) => (this.next = { det, live, superseded }));
    return det;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
  }

  /** Resolves with the next processed frame's pixels and boxes; rejects if that frame fails. */
  snapshot(): Promise<Snapshot> {
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private async loop(): Promise<void> {
    while (this.running) {
      await this.source.nextFrame();
      if (this.next) {
        this.detector?.dispose();
        this.detector = this.next.det;
        this.next.live();
        this.next = undefined;
      }
      const det = this.detector;
      if (!det) continue;
      try {
        await this.step(det);
      } catch (e) {
        const msg = (e as Error).message;
        this.stats.errors.push(msg);
        this.onError(msg);
        this.waiters.splice(0).forEach((w) => w.reject(e as Error));
      }
    }
  }

  private async step(det: FrameDetector): Promise<void> {
    const frame = this.source.frame();
    if (!frame.width || !frame.height) return;
    const r = await det.detect(frame);
    const t0 = performance.now();
    if (this.canvas.width !== frame.width || this.canvas.height !== frame.height) {
      [this.canvas.width, this.canvas.height] = [frame.width, frame.height];
    }
    this.lastDrawn = drawDetections(this.ctx2d, r.detections, COCO80_NAMES, frameToDisplay(frame.width, r.mirrored));
    const now = performance.now();
    const s = this.stats;
    const t = s.times;
    [t.preprocess, t.inference, t.postprocess, t.draw] = [
      ema(t.preprocess, r.times.preprocess), ema(t.inference, r.times.inference), ema(t.postprocess, r.times.postprocess), ema(t.draw, now - t0),
    ];
    if (Number.isFinite(this.lastFrameAt)) s.fps = ema(s.fps, 1000 / (now - this.lastFrameAt));
    this.lastFrameAt = now;
    s.frames++;
    s.detections = r.detections.scores.length;
    if (this.waiters.length) {
      const img = await det.readFrame();
      const snap: Snapshot = {
        frameIndex: s.frames, width: img.width, height: img.height, rgbaBase64: toBase64(img.data), drawn: this.lastDrawn,
        mirror: r.mirrored, inputSize: [det.inputWidth, det.inputHeight], decoder: det.decoder.kind,
      };
      this.waiters.splice(0).forEach((w) => w.resolve(snap));
    }
    this.onFrame(this);
  }
}

function toBase64(bytes: Uint8Array | Uint8ClampedArray): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
