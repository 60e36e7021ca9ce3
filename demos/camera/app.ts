/**
 * The camera demo's loop on the page: next video frame -> ImageBitmap -> inference worker (worker.ts) -> the same
 * bitmap comes back with its boxes -> both drawn together. The page thread only grabs frames and draws, so it stays
 * responsive however long inference takes; what is shown is always the frame the boxes were computed on (it trails
 * the live camera by one inference, which the stats line says).
 */
import { type CameraSource, type DrawnBox, type StageTimes, COCO80_NAMES, drawDetections, frameToDisplay } from '../../src/camera/index.ts';
import type { DetectorInfo, FromWorker, LoadOptions, ToWorker } from './protocol.ts';

/** Stage times of a frame, with drawing and the whole round trip (grab to drawn). */
export type FrameTimes = StageTimes & { draw: number; latency: number };

/** What tests read: the exact pixels of one processed frame and what was drawn over it. */
export interface Snapshot {
  frameIndex: number;
  width: number;
  height: number;
  /** RGBA8 pixels the preprocessing kernel read, base64. */
  rgbaBase64: string;
  /** RGBA8 pixels of the frame canvas right after this frame was drawn (display space: mirrored when `mirror`), base64. */
  shownBase64: string;
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
  /** GPU buffers alive in the worker (sampled every 30 frames). */
  liveBuffers: number;
}

const ema = (old: number, v: number, k = 0.2): number => (Number.isFinite(old) ? old + k * (v - old) : v);

export class CameraApp {
  /** The running detector, as the worker described it. */
  info?: DetectorInfo;
  mirror = false;
  conf = 0.3;
  readonly stats: AppStats = {
    frames: 0, fps: NaN, detections: 0, errors: [], liveBuffers: NaN,
    times: { preprocess: NaN, inference: NaN, postprocess: NaN, draw: NaN, latency: NaN },
  };
  lastDrawn: DrawnBox[] = [];
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, (m: FromWorker) => void>();
  private running = false;
  private lastFrameAt = NaN;
  private waiters: { resolve: (s: Snapshot) => void; reject: (e: Error) => void }[] = [];
  private readonly frame2d: CanvasRenderingContext2D;
  private readonly overlay2d: CanvasRenderingContext2D;

  constructor(
    readonly source: CameraSource,
    readonly frameCanvas: HTMLCanvasElement,
    readonly overlay: HTMLCanvasElement,
    private readonly onFrame: (app: CameraApp) => void,
    private readonly onError: (message: string) => void,
  ) {
    const f = frameCanvas.getContext('2d', { willReadFrequently: false });
    const o = overlay.getContext('2d');
    if (!f || !o) throw new Error('camera demo: no 2D context for the frame and overlay canvases');
    [this.frame2d, this.overlay2d] = [f, o];
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'quantgpu-camera' });
    this.worker.onmessage = (ev: MessageEvent<FromWorker>) => {
      const done = this.pending.get(ev.data.id);
      this.pending.delete(ev.data.id);
      done?.(ev.data);
    };
    this.worker.onerror = (ev) => this.onError(`inference worker failed: ${ev.message}`);
  }

  private call(msg: ToWorker, transfer: Transferable[] = []): Promise<FromWorker> {
    return new Promise((resolve) => {
      this.pending.set(msg.id, resolve);
      this.worker.postMessage(msg, transfer);
    });
  }

  /**
   * Builds a detector in the worker beside the running one; resolves once it replaced it. On failure (bad model,
   * refused precision, replaced by a newer load) it throws and the running detector keeps going.
   */
  async load(model: Uint8Array, size: number | undefined, opts: LoadOptions): Promise<DetectorInfo> {
    const copy = model.slice();
    const r = await this.call({ type: 'load', id: this.nextId++, model: copy, size, opts }, [copy.buffer]);
    if (r.type !== 'loaded') throw new Error(r.type === 'error' ? r.message : `unexpected worker reply ${r.type}`);
    this.info = r.info;
    this.stats.liveBuffers = r.info.liveBuffers;
    return r.info;
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
      if (!this.info) continue;
      try {
        await this.step();
      } catch (e) {
        const msg = (e as Error).message;
        this.stats.errors.push(msg);
        this.onError(msg);
        this.waiters.splice(0).forEach((w) => w.reject(e as Error));
      }
    }
  }

  private async step(): Promise<void> {
    const video = this.source.video;
    if (!video.videoWidth || !video.videoHeight) return;
    const t0 = performance.now();
    const bitmap = await createImageBitmap(video);
    const wantPixels = this.waiters.length > 0;
    const r = await this.call({ type: 'frame', id: this.nextId++, bitmap, mirror: this.mirror, conf: this.conf, pixels: wantPixels }, [bitmap]);
    if (r.type === 'error') {
      r.bitmap?.close();
      throw new Error(r.message);
    }
    if (r.type !== 'result') throw new Error(`unexpected worker reply ${r.type}`);
    const t1 = performance.now();
    const { width, height } = r.bitmap;
    for (const c of [this.frameCanvas, this.overlay]) if (c.width !== width || c.height !== height) [c.width, c.height] = [width, height];
    // The frame the boxes belong to, mirrored the way the boxes were (display space).
    this.frame2d.setTransform(r.mirrored ? -1 : 1, 0, 0, 1, r.mirrored ? width : 0, 0);
    this.frame2d.drawImage(r.bitmap, 0, 0);
    this.frame2d.setTransform(1, 0, 0, 1, 0, 0);
    r.bitmap.close();
    this.lastDrawn = drawDetections(this.overlay2d, r.detections, COCO80_NAMES, frameToDisplay(width, r.mirrored));
    const now = performance.now();
    const s = this.stats;
    const t = s.times;
    [t.preprocess, t.inference, t.postprocess, t.draw, t.latency] = [
      ema(t.preprocess, r.times.preprocess), ema(t.inference, r.times.inference), ema(t.postprocess, r.times.postprocess),
      ema(t.draw, now - t1), ema(t.latency, now - t0),
    ];
    if (Number.isFinite(this.lastFrameAt)) s.fps = ema(s.fps, 1000 / (now - this.lastFrameAt));
    this.lastFrameAt = now;
    s.frames++;
    s.detections = r.detections.scores.length;
    if (s.frames % 30 === 0) {
      const st = await this.call({ type: 'stats', id: this.nextId++ });
      if (st.type === 'stats') s.liveBuffers = st.liveBuffers;
    }
    if (r.pixels && this.waiters.length && this.info) {
      const snap: Snapshot = {
        frameIndex: s.frames, width: r.pixels.width, height: r.pixels.height, rgbaBase64: toBase64(r.pixels.data),
        shownBase64: toBase64(this.frame2d.getImageData(0, 0, width, height).data), drawn: this.lastDrawn,
        mirror: r.mirrored, inputSize: [this.info.inputWidth, this.info.inputHeight], decoder: this.info.decoder,
      };
      this.waiters.splice(0).forEach((w) => w.resolve(snap));
    }
    this.onFrame(this);
  }

  /** GPU buffers alive in the worker now. */
  async liveBuffers(): Promise<number> {
    const r = await this.call({ type: 'stats', id: this.nextId++ });
    return r.type === 'stats' ? r.liveBuffers : NaN;
  }
}

function toBase64(bytes: Uint8Array | Uint8ClampedArray): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
