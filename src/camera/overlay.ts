/**
 * Drawing detections over a video. The overlay canvas has the frame's pixel size and is scaled by CSS exactly
 * like the video (same box, same `object-fit`), so canvas pixels are frame pixels; when the video is shown
 * mirrored, `frameToDisplay` flips boxes the same way. Both transforms are gl-matrix mat3s.
 */
import { mat3 } from 'gl-matrix';
import { transformBoxes } from '../pre/letterbox.ts';
import type { Detections } from '../post/detections.ts';

/** A box as drawn: canvas pixels, label text. */
export interface DrawnBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  cls: number;
  score: number;
  label: string;
}

/** Frame pixels -> display (canvas) pixels: identity, or a horizontal flip for a mirrored preview. */
export function frameToDisplay(frameWidth: number, mirrored: boolean): mat3 {
  return mirrored ? mat3.fromValues(-1, 0, 0, 0, 1, 0, frameWidth, 0, 1) : mat3.create();
}

/** A stable colour per class (golden-angle hues). */
export function classColor(cls: number): string {
  return `hsl(${(cls * 137.508) % 360} 90% 50%)`;
}

/**
 * Clears the canvas and draws every detection (box, then a label tag with class name and score).
 * Returns what was drawn, in canvas pixels.
 */
export function drawDetections(
  ctx: CanvasRenderingContext2D, det: Detections, names: readonly string[], toDisplay: mat3,
): DrawnBox[] {
  const { width, height } = ctx.canvas;
  ctx.clearRect(0, 0, width, height);
  const boxes = transformBoxes(det.boxes.slice(), toDisplay);
  const line = Math.max(2, Math.round(Math.min(width, height) / 240));
  const font = Math.max(12, Math.round(Math.min(width, height) / 32));
  ctx.lineWidth = line;
  ctx.font = `${font}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  const drawn: DrawnBox[] = [];
  for (let i = 0; i < det.scores.length; i++) {
    const [x1, y1, x2, y2] = boxes.subarray(i * 4, i * 4 + 4);
    const cls = det.classes[i];
    const label = `${names[cls] ?? `class ${cls}`} ${Math.round(det.scores[i] * 100)}%`;
    const color = classColor(cls);
    ctx.strokeStyle = color;
    ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
    const tw = ctx.measureText(label).width + 2 * line;
    const ty = y1 - font - 2 * line >= 0 ? y1 - font - 2 * line : y1;
    ctx.fillStyle = color;
    ctx.fillRect(x1 - line / 2, ty, tw, font + 2 * line);
    ctx.fillStyle = '#000';
    ctx.fillText(label, x1 + line, ty + line);
    drawn.push({ x1, y1, x2, y2, cls, score: det.scores[i], label });
  }
  return drawn;
}
