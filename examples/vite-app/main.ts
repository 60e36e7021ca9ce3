/**
 * The smallest app on the published package: detect objects in one image with the GPU preprocessing, a quantgpu
 * session, decode and NMS, and draw them. Imports `quantgpu` and `quantgpu/camera` exactly as an app does;
 * the model and image come from this app's public/ folder (`?model=...&image=...&precision=...` to change them).
 */
import { InferenceSession } from 'quantgpu';
import { COCO80_NAMES, type DrawnBox, FrameDetector, drawDetections, frameToDisplay } from 'quantgpu/camera';

const params = new URLSearchParams(location.search);

async function main(): Promise<{ drawn: DrawnBox[]; decoder: string; session: string }> {
  const image = await createImageBitmap(await (await fetch(params.get('image') ?? '/image.jpg')).blob());
  const detector = await FrameDetector.create(params.get('model') ?? '/model.onnx', {
    precision: (params.get('precision') as 'fp32' | 'int8' | null) ?? 'fp32',
    confThreshold: 0.3,
  });
  const { detections, times } = await detector.detect({ source: image, width: image.width, height: image.height });
  const canvas = document.getElementById('view') as HTMLCanvasElement;
  [canvas.width, canvas.height] = [image.width, image.height];
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(image, 0, 0);
  // drawDetections clears its canvas: draw the boxes on a second canvas, then stack them.
  const layer = new OffscreenCanvas(image.width, image.height).getContext('2d')! as unknown as CanvasRenderingContext2D;
  const drawn = drawDetections(layer, detections, COCO80_NAMES, frameToDisplay(image.width, false));
  ctx.drawImage(layer.canvas, 0, 0);
  document.getElementById('out')!.textContent =
    `${detector.decoder.kind} ${detector.inputWidth}x${detector.inputHeight}, ${drawn.length} objects, ` +
    `inference ${times.inference.toFixed(0)} ms\n${drawn.map((d) => d.label).join('\n')}`;
  const session = detector.session instanceof InferenceSession ? 'InferenceSession' : 'unknown';
  detector.dispose();
  return { drawn, decoder: detector.decoder.kind, session };
}

declare global {
  interface Window {
    example: Promise<{ drawn: DrawnBox[]; decoder: string; session: string }>;
  }
}
window.example = main();
window.example.catch((e: Error) => (document.getElementById('out')!.textContent = `failed: ${e.message}`));
