/**
 * Picks a decoder from a detector's output shape, and the full post-processing chain
 * (decode -> NMS -> map boxes back to the frame).
 *
 *   [1, 5+nc, gh, gw]                      FastestDet (input = 16 * grid, stride 16)
 *   [1, 4+nc, N]  with 4+nc < N            YOLOv8 (channel-major, decoded boxes)
 *   [1, N, 5+nc]  N = S^2 * 21/1024        YOLOX (one row per cell of the stride 8/16/32 grids of an S x S input)
 *   [1, N, 5+nc]  N = 3 * S^2 * 21/1024    YOLOv5 (three anchors per cell)
 */
import type { Letterbox } from '../pre/letterbox.ts';
import { type DecodeOptions, decodeFastestDet, decodeYolov5, decodeYolov8, decodeYolox } from './decode.ts';
import { type Detections, type NmsOptions, detectionsToFrame, nmsDetections } from './detections.ts';

export type DecoderKind = 'yolox' | 'yolov5' | 'yolov8' | 'fastestdet';

export interface DecoderChoice {
  kind: DecoderKind;
  numClasses: number;
  /** Input size implied by the shape (square inputs; FastestDet assumes stride 16), if any. */
  inputSize?: [number, number];
}

/** The square side S whose stride-8/16/32 grids have `cells` cells in total, if there is one. */
function squareSideForCells(cells: number): number | undefined {
  const s = Math.round(Math.sqrt((cells * 1024) / 21));
  return s % 32 === 0 && (s * s * 21) / 1024 === cells ? s : undefined;
}

/** Chooses the decoder for a model with these output shapes (the first output is the detections). */
export function detectDecoder(outputShapes: number[][]): DecoderChoice {
  const shape = outputShapes[0];
  const fail = (why: string): never => {
    throw new Error(`detectDecoder: cannot decode output shape [${shape ?? ''}]: ${why}`);
  };
  if (!shape || shape[0] !== 1) return fail('expected batch 1');
  if (shape.length === 4) {
    if (shape[1] <= 5) fail('too few channels for FastestDet');
    return { kind: 'fastestdet', numClasses: shape[1] - 5, inputSize: [shape[3] * 16, shape[2] * 16] };
  }
  if (shape.length !== 3) return fail('expected rank 3 or 4');
  const [, a, b] = shape;
  // YOLOv8 is channels-first [1, 4 + classes, cells]; YOLOX / YOLOv5 are [1, cells, 5 + classes]. A small YOLOX
  // ([1, 84, 85] at 64x64) also has rows < columns, so the grid decides first.
  const v8 = a < b && a > 4 ? squareSideForCells(b) : undefined;
  if (v8) return { kind: 'yolov8', numClasses: a - 4, inputSize: [v8, v8] };
  const yolox = b > 5 ? squareSideForCells(a) : undefined;
  if (yolox) return { kind: 'yolox', numClasses: b - 5, inputSize: [yolox, yolox] };
  const v5 = b > 5 && a % 3 === 0 ? squareSideForCells(a / 3) : undefined;
  if (v5) return { kind: 'yolov5', numClasses: b - 5, inputSize: [v5, v5] };
  // A non-square YOLOv8 input: the layout still says channels-first.
  if (a < b && a > 4 && a <= 1000) return { kind: 'yolov8', numClasses: a - 4 };
  if (b <= 5) fail('too few values per row');
  return fail(`${a} rows match no stride-8/16/32 grid of a square input`);
}

/** Runs the chosen decoder. `opts.inputSize` defaults to the size implied by the shape. */
export function decodeOutput(
  choice: DecoderChoice, out: Float32Array, shape: number[], opts: Partial<DecodeOptions> = {},
): Detections {
  const inputSize = opts.inputSize ?? choice.inputSize;
  if (!inputSize && choice.kind !== 'yolov8') throw new Error(`decodeOutput: ${choice.kind} needs inputSize`);
  const o = { ...opts, inputSize: inputSize ?? 0 };
  switch (choice.kind) {
    case 'yolox': return decodeYolox(out, shape, o);
    case 'yolov5': return decodeYolov5(out, shape, o);
    case 'yolov8': return decodeYolov8(out, shape, o);
    case 'fastestdet': return decodeFastestDet(out, shape, o);
  }
}

/**
 * Decode, per-class NMS, and boxes mapped to frame pixels through the letterbox (clipped to the frame unless
 * `clip: false`). Highest score first.
 */
export function postprocess(
  choice: DecoderChoice, out: Float32Array, shape: number[], lb: Letterbox,
  opts: Partial<DecodeOptions> & NmsOptions & { clip?: boolean },
): Detections {
  const det = decodeOutput(choice, out, shape, { inputSize: [lb.inputWidth, lb.inputHeight], ...opts });
  return detectionsToFrame(nmsDetections(det, opts), lb, opts.clip ?? true);
}
