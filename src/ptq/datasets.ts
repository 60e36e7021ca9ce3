/**
 * The two dataset formats the CLI and the table script read, turned into model feeds:
 * - CIFAR-10 binary (`*.bin`): classifier batches [n, 3, 32, 32] with a per-model pixel transform;
 * - COCO (`instances*.json` next to an `images/` folder, or the folder holding both): one letterboxed image per
 *   batch, with the letterbox kept so detections map back to image pixels.
 * Which transform a model wants is not in the ONNX file; `modelProfile` guesses it from the file name and the
 * output shape, and `--pixels` overrides it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR_RAW, CIFAR_RESNET20, cifarCount, readCifarBatch } from '../eval/cifar.ts';
import { type CocoDataset, parseCocoDataset } from '../eval/coco.ts';
import { readJpeg } from '../eval/image.ts';
import { detectDecoder, type DecoderChoice } from '../post/detect.ts';
import { type Letterbox, letterbox } from '../pre/letterbox.ts';
import { FASTESTDET_PIXELS, type PixelTransform, preprocessNCHW, YOLOX_PIXELS } from '../pre/preprocess.ts';
import type { Graph } from '../runtime/ir.ts';
import type { CalibrationSet } from './calibrate.ts';

export type PixelsName = 'raw' | 'imagenet' | 'yolox' | 'fastestdet';

export interface ModelProfile {
  task: 'classify' | 'detect';
  input: string;
  pixels: PixelsName;
  decoder?: DecoderChoice;
  /** Detector post-processing: the thresholds the reference numbers in ../shared/assets used. */
  confThreshold?: number;
  iouThreshold?: number;
}

const TRANSFORMS: Record<PixelsName, PixelTransform> = { raw: CIFAR_RAW, imagenet: CIFAR_RESNET20, yolox: YOLOX_PIXELS, fastestdet: FASTESTDET_PIXELS };

/** Task and preprocessing of a model, from its output shape and file name (override with `pixels`). */
export function modelProfile(g: Graph, file = '', pixels?: PixelsName): ModelProfile {
  const input = g.inputs[0].name;
  const out = g.outputs[0].shape.map((d) => (typeof d === 'number' ? d : 1));
  if (out.length === 2) {
    return { task: 'classify', input, pixels: pixels ?? (/resnet8|mlperf/i.test(file) ? 'raw' : 'imagenet') };
  }
  const decoder = detectDecoder([out]);
  const fd = decoder.kind === 'fastestdet';
  return { task: 'detect', input, decoder, pixels: pixels ?? (fd ? 'fastestdet' : 'yolox'), confThreshold: fd ? 0.01 : 0.001, iouThreshold: fd ? 0.45 : 0.65 };
}

export interface CifarData {
  kind: 'cifar';
  bytes: Uint8Array;
  count: number;
}

export interface CocoData {
  kind: 'coco';
  dataset: CocoDataset;
  imageDir: string;
}

export type Dataset = CifarData | CocoData;

/** Opens a CIFAR-10 .bin file, a COCO instances .json, or a folder holding one of them. */
export function openDataset(path: string): Dataset {
  if (statSync(path).isDirectory()) {
    const files = readdirSync(path);
    const json = files.find((f) => /^instances.*\.json$/.test(f));
    if (json) return openDataset(join(path, json));
    const bin = files.find((f) => f.endsWith('.bin'));
    if (bin) return openDataset(join(path, bin));
    throw new Error(`dataset: ${path} holds neither a CIFAR-10 .bin nor a COCO instances*.json`);
  }
  if (path.endsWith('.json')) {
    const dir = path.slice(0, Math.max(0, path.lastIndexOf('/')));
    const imageDir = existsSync(join(dir, 'images')) ? join(dir, 'images') : dir;
    return { kind: 'coco', dataset: parseCocoDataset(readFileSync(path, 'utf8')), imageDir };
  }
  const bytes = new Uint8Array(readFileSync(path));
  return { kind: 'cifar', bytes, count: cifarCount(bytes) };
}

export function datasetSize(d: Dataset): number {
  return d.kind === 'cifar' ? d.count : d.dataset.images.length;
}

type CocoInput = { data: Float32Array; lb: Letterbox; imageId: number };
/** Decoded, letterboxed images, kept while the process runs (evaluation reruns the same images per config). */
const inputCache = new Map<string, CocoInput>();

/** A COCO image letterboxed for the model: NCHW data and the letterbox (cached). */
export async function cocoInput(d: CocoData, index: number, p: ModelProfile, size: [number, number]): Promise<CocoInput> {
  const key = `${d.imageDir}|${index}|${p.pixels}|${size}`;
  const hit = inputCache.get(key);
  if (hit) return hit;
  const r = await decodeCocoInput(d, index, p, size);
  inputCache.set(key, r);
  return r;
}

async function decodeCocoInput(d: CocoData, index: number, p: ModelProfile, size: [number, number]): Promise<CocoInput> {
  const img = d.dataset.images[index];
  const rgba = await readJpeg(join(d.imageDir, img.file_name));
  const lb = letterbox(rgba.width, rgba.height, size[0], size[1], { align: p.pixels === 'fastestdet' ? 'stretch' : 'top-left' });
  return { data: preprocessNCHW(rgba, lb, TRANSFORMS[p.pixels]), lb, imageId: img.id };
}

/**
 * Images [start, end) as calibration batches: CIFAR in batches of `batch`, COCO one image per batch
 * (the detectors have a fixed batch of 1).
 */
export function calibrationFrom(d: Dataset, p: ModelProfile, start: number, end: number, batch = 50, inputSize?: [number, number]): CalibrationSet {
  if (d.kind === 'cifar') {
    const n = Math.ceil((end - start) / batch);
    return {
      count: n,
      batch: async (i) => {
        const s = start + i * batch;
        const c = Math.min(batch, end - s);
        const x = readCifarBatch(d.bytes, TRANSFORMS[p.pixels], s, c);
        return { [p.input]: { dims: [c, 3, 32, 32], data: x.images } };
      },
    };
  }
  const size = inputSize ?? p.decoder?.inputSize;
  if (!size) throw new Error('calibrationFrom: detector input size unknown');
  return {
    count: end - start,
    batch: async (i) => ({ [p.input]: { dims: [1, 3, size[1], size[0]], data: (await cocoInput(d, start + i, p, size)).data } }),
  };
}
