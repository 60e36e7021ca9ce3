/**
 * Camera frames: a `getUserMedia` stream playing in a <video>. Frames reach the GPU through
 * `copyExternalImageToTexture` (see preprocess.ts), never through a CPU pixel loop.
 */
import type { FrameInput } from './preprocess.ts';

export interface CameraOptions {
  /** `user` (front, usually shown mirrored) or `environment` (back). */
  facingMode?: 'user' | 'environment';
  width?: number;
  height?: number;
  /** Use this <video> instead of creating one. */
  video?: HTMLVideoElement;
}

/** A playing camera stream. */
export class CameraSource {
  private constructor(readonly video: HTMLVideoElement, readonly stream: MediaStream) {}

  /** Asks for the camera and waits until the first frame can be drawn. Errors name the refusal. */
  static async open(opts: CameraOptions = {}): Promise<CameraSource> {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('camera: getUserMedia is unavailable (needs https or localhost)');
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: opts.facingMode ?? 'user', width: { ideal: opts.width ?? 640 }, height: { ideal: opts.height ?? 480 } },
    }).catch((e: Error) => {
      throw new Error(`camera: getUserMedia failed (${e.name}): ${e.message}`);
    });
    const video = opts.video ?? document.createElement('video');
    Object.assign(video, { muted: true, playsInline: true, autoplay: true, srcObject: stream });
    await video.play();
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
      await new Promise<void>((resolve) => video.addEventListener('loadeddata', () => resolve(), { once: true }));
    }
    return new CameraSource(video, stream);
  }

  /** The current frame, as the preprocessor takes it. */
  frame(): FrameInput {
    return { source: this.video, width: this.video.videoWidth, height: this.video.videoHeight };
  }

  /** Resolves at the next presented video frame (requestVideoFrameCallback where available). */
  nextFrame(): Promise<void> {
    const v = this.video as HTMLVideoElement & { requestVideoFrameCallback?: (cb: () => void) => number };
    return new Promise((resolve) => (v.requestVideoFrameCallback ? v.requestVideoFrameCallback(() => resolve()) : requestAnimationFrame(() => resolve())));
  }

  close(): void {
    this.stream.getTracks().forEach((t) => t.stop());
    this.video.srcObject = null;
  }
}
