/**
 * The camera demo's inference worker: WebGPU device, FrameDetector (GPU preprocessing, session, decode, NMS), all
 * off the page's main thread. A failed load leaves the running detector in place; frames are answered in order.
 */
import { FrameDetector, withInputSize } from '../../src/camera/index.ts';
import { acquireDevice, type GpuContext } from '../../src/gpu/device.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

const scope = self as unknown as { onmessage: ((ev: MessageEvent<ToWorker>) => void) | null; postMessage(m: FromWorker, transfer?: Transferable[]): void };
let gpu: Promise<GpuContext> | undefined;
let detector: FrameDetector | undefined;
const live = new Set<GPUBuffer>();

/** The worker's device, with its buffers counted (created minus destroyed), shown in the page's stats. */
async function device(): Promise<GpuContext> {
  gpu ??= acquireDevice({ label: 'quantgpu-camera-worker' }).then((ctx) => {
    const d = ctx.device;
    const create = d.createBuffer.bind(d);
    d.createBuffer = (desc: GPUBufferDescriptor) => {
      const b = create(desc);
      live.add(b);
      const destroy = b.destroy.bind(b);
      b.destroy = () => {
        live.delete(b);
        destroy();
      };
      return b;
    };
    return ctx;
  });
  return gpu;
}

const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

async function handle(m: ToWorker): Promise<void> {
  if (m.type === 'load') {
    // Built beside the running detector (frames keep flowing); swapped in on the frame queue, between frames.
    latestLoad = m.id;
    try {
      const bytes = m.size ? withInputSize(m.model, m.size) : m.model;
      const next = await FrameDetector.create(bytes, { ...m.opts, context: await device() });
      queue = queue.then(() => {
        if (m.id !== latestLoad) {
          next.dispose();
          post({ type: 'error', id: m.id, message: 'replaced by a newer model or precision before it ran' });
          return;
        }
        detector?.dispose();
        detector = next;
        const stepPrecisions = [...new Set(next.session.steps().map((s) => s.precision))];
        post({ type: 'loaded', id: m.id, info: { decoder: next.decoder.kind, inputWidth: next.inputWidth, inputHeight: next.inputHeight, stepPrecisions, liveBuffers: live.size } });
      });
    } catch (e) {
      post({ type: 'error', id: m.id, message: (e as Error).message || String(e) });
    }
    return;
  }
  if (m.type === 'stats') {
    post({ type: 'stats', id: m.id, liveBuffers: live.size });
    return;
  }
  const det = detector;
  if (!det) {
    post({ type: 'error', id: m.id, message: 'no model loaded yet', bitmap: m.bitmap }, [m.bitmap]);
    return;
  }
  try {
    det.mirror = m.mirror;
    det.confThreshold = m.conf;
    const r = await det.detect({ source: m.bitmap, width: m.bitmap.width, height: m.bitmap.height });
    const pixels = m.pixels ? await det.readFrame() : undefined;
    const px = pixels ? { width: pixels.width, height: pixels.height, data: new Uint8Array(pixels.data) } : undefined;
    post({ type: 'result', id: m.id, bitmap: m.bitmap, detections: r.detections, mirrored: r.mirrored, times: r.times, pixels: px },
      [m.bitmap, ...(px ? [px.data.buffer] : [])]);
  } catch (e) {
    post({ type: 'error', id: m.id, message: (e as Error).message || String(e), bitmap: m.bitmap }, [m.bitmap]);
  }
}

// Frames and swaps run one at a time, in order: a detector is never disposed under a frame in flight.
let queue = Promise.resolve();
let latestLoad = -1;
scope.onmessage = (ev) => {
  if (ev.data.type === 'load') void handle(ev.data);
  else queue = queue.then(() => handle(ev.data));
};
