/**
 * Messages between the camera page and its inference worker (worker.ts). The page owns the camera and the canvas;
 * the worker owns the GPU device, the session and the preprocessing. A frame travels as an ImageBitmap, transferred
 * to the worker and back with its boxes, so the page draws each frame with the boxes computed on it.
 */
import type { DetectorOptions, StageTimes } from '../../src/camera/index.ts';
import type { Detections } from '../../src/post/detections.ts';

export type LoadOptions = Pick<DetectorOptions, 'precision' | 'decoder' | 'mirror' | 'confThreshold' | 'feed'>;

/** What the worker reports about a loaded detector. */
export interface DetectorInfo {
  decoder: string;
  inputWidth: number;
  inputHeight: number;
  /** The distinct precisions of the session's steps (e.g. fp32, w8). */
  stepPrecisions: string[];
  /** GPU buffers alive in the worker's device after loading. */
  liveBuffers: number;
}

export type ToWorker =
  | { type: 'load'; id: number; model: Uint8Array; size?: number; opts: LoadOptions }
  | { type: 'frame'; id: number; bitmap: ImageBitmap; mirror: boolean; conf: number; pixels: boolean }
  | { type: 'stats'; id: number };

export type FromWorker =
  | { type: 'loaded'; id: number; info: DetectorInfo }
  | { type: 'result'; id: number; bitmap: ImageBitmap; detections: Detections; mirrored: boolean; times: StageTimes;
      /** The RGBA pixels the preprocessing read (only when the frame asked for them). */
      pixels?: { width: number; height: number; data: Uint8Array } }
  | { type: 'stats'; id: number; liveBuffers: number }
  | { type: 'error'; id: number; message: string; bitmap?: ImageBitmap };
