/**
 * The dataset formats the CLI and the table script read, turned into model feeds:
 * - CIFAR-10 binary (`*.bin`): classifier batches [n, 3, 32, 32];
 * - COCO (`instances*.json` next to an `images/` folder, or the folder holding both): one letterboxed image per
 *   batch, with the letterbox kept so detections map back to image pixels;
 * - image folders (recursive), the ImageFolder layout (labels from class subfolders), list files, and `.npy`
 *   batches already preprocessed (see src/eval/image-folder.ts), streamed batch by batch.
 * Every image path applies the model's declared preprocessing (src/pre/spec.ts). Which preprocessing a model wants
 * is not in the ONNX file: `modelProfile` guesses a preset from the file name and the input / output shapes, and
 * the caller overrides it (`--pre` and friends, or the spec recorded by `quantize`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cifarCount, readCifarBatch } from '../eval/cifar.ts';
import { type CocoDataset, parseCocoDataset } from '../eval/coco.ts';
import { readImage } from '../eval/image.ts';
import { type ImageFiles, type NpyFiles, openImageFolder, openNpyBatches, readImageList } from '../eval/image-folder.ts';
import { detectDecoder, type DecoderChoice } from '../post/detect.ts';
import { applyPreprocess, resizedSize } from '../pre/apply.ts';
import type { Letterbox } from '../pre/letterbox.ts';
import { pixelTransform, preset, type PreprocessSpec } from '../pre/spec.ts';
import type { Graph } from '../runtime/ir.ts';
import type { CalibrationSet } from './calibrate.ts';
import { type DecodeStats, imageBatches, npyBatches } from './image-batches.ts';

/** The preset names `--pixels` took before declared preprocessing (still accepted). */
export type PixelsName = 'raw' | 'imagenet' | 'yolox' | 'fastestdet';

export interface ModelProfile {
  task: 'classify' | 'detect';
  input: string;
  /** Per-image input dims of the model ([3, H, W] or [H, W, 3]); undefined entries are dynamic. */
  inputItem: (number | undefined)[];
  /** The preprocessing applied to every image. */
  pre: PreprocessSpec;
  /** Name of the preset `pre` came from (kept in the config JSON as `ptq.pixels`). */
  pixels: string;
  decoder?: DecoderChoice;
  /** Detector post-processing: the thresholds the reference numbers in ../shared/assets used. */
  confThreshold?: number;
  iouThreshold?: number;
}

/** Model input [width, height] and layout, from its first input's shape (NCHW, or NHWC when only the last dim is 3). */
function inputGeometry(g: Graph): { item: (number | undefined)[]; size?: [number, number]; nhwc: boolean } {
  const dims = g.inputs[0].shape.map((d) => (typeof d === 'number' && d > 0 ? d : undefined));
  const nhwc = dims.length === 4 && dims[3] === 3 && dims[1] !== 3;
  const [h, w] = nhwc ? [dims[1], dims[2]] : [dims[2], dims[3]];
  return { item: dims.slice(1), size: w && h ? [w, h] : undefined, nhwc };
}

/**
 * Task and preprocessing of a model, from its output shape and file name. `pre` overrides the guess: a preset
 * name (resolved for the model's input size) or a full spec.
 */
export function modelProfile(g: Graph, file = '', pre?: string | PreprocessSpec): ModelProfile {
  const input = g.inputs[0].name;
  const geo = inputGeometry(g);
  const resolve = (name: string): PreprocessSpec => {
    const s = preset(name, geo.size);
    return geo.nhwc ? { ...s, layout: 'nhwc' } : s;
  };
  const spec = (guess: string): { pre: PreprocessSpec; pixels: string } => {
    if (pre === undefined) return { pre: resolve(guess), pixels: guess };
    if (typeof pre === 'string') return { pre: resolve(pre), pixels: pre };
    return { pre, pixels: pre.preset ?? 'custom' };
  };
  const out = g.outputs[0].shape.map((d) => (typeof d === 'number' ? d : 1));
  if (out.length === 2) {
    // CIFAR-sized classifiers (ResNet-20) take the image as it is; ImageNet-sized ones resize and crop.
    const small = geo.size !== undefined && Math.max(...geo.size) <= 64;
    const guess = /resnet8|mlperf/i.test(file) ? 'raw' : small ? 'cifar' : 'imagenet';
    return { task: 'classify', input, inputItem: geo.item, ...spec(guess) };
  }
  const decoder = detectDecoder([out]);
  const fd = decoder.kind === 'fastestdet';
  return {
    task: 'detect', input, inputItem: geo.item, decoder, ...spec(fd ? 'fastestdet' : 'yolox'),
    confThreshold: fd ? 0.01 : 0.001, iouThreshold: fd ? 0.45 : 0.65,
  };
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

/** Image files (folder, ImageFolder with labels, or list file), decoded when a batch is asked for. */
export interface ImagesData extends ImageFiles {
  kind: 'images';
}

/** Preprocessed `.npy` batches. */
export interface NpyData extends NpyFiles {
  kind: 'npy';
}

export type Dataset = CifarData | CocoData | ImagesData | NpyData;

/**
 * Opens a CIFAR-10 .bin file, a COCO instances .json, a `.npy` batch, a list file (.txt) of images, or a folder:
 * one holding a COCO json, a .bin or .npy batches, else a folder of images (ImageFolder when it has class
 * subfolders; `classes` names them in order).
 */
export function openDataset(path: string, opts: { classes?: string } = {}): Dataset {
  if (!existsSync(path)) throw new Error(`dataset: ${path} does not exist`);
  if (statSync(path).isDirectory()) {
    const files = readdirSync(path);
    const json = files.find((f) => /^instances.*\.json$/.test(f));
    if (json) return openDataset(join(path, json));
    const bin = files.find((f) => f.endsWith('.bin'));
    if (bin) return openDataset(join(path, bin));
    if (files.some((f) => f.endsWith('.npy'))) return { kind: 'npy', ...openNpyBatches(path) };
    return { kind: 'images', ...openImageFolder(path, opts.classes) };
  }
  if (path.endsWith('.json')) {
    const dir = path.slice(0, Math.max(0, path.lastIndexOf('/')));
    const imageDir = existsSync(join(dir, 'images')) ? join(dir, 'images') : dir;
    return { kind: 'coco', dataset: parseCocoDataset(readFileSync(path, 'utf8')), imageDir };
  }
  if (path.endsWith('.npy')) return { kind: 'npy', ...openNpyBatches(path) };
  if (/\.(txt|lst|list)$/i.test(path)) return { kind: 'images', ...readImageList(path) };
  if (!path.endsWith('.bin')) throw new Error(`dataset: ${path}: expected a CIFAR-10 .bin, a COCO .json, a .npy, a .txt list of images or a folder`);
  const bytes = new Uint8Array(readFileSync(path));
  return { kind: 'cifar', bytes, count: cifarCount(bytes) };
}

export function datasetSize(d: Dataset): number {
  if (d.kind === 'cifar') return d.count;
  if (d.kind === 'coco') return d.dataset.images.length;
  if (d.kind === 'npy') return d.counts.reduce((a, b) => a + b, 0);
  return d.files.length;
}

/** Labels of images [start, end): CIFAR label bytes or ImageFolder classes; throws for unlabeled data. */
export function datasetLabels(d: Dataset, start: number, end: number): Int32Array {
  if (d.kind === 'cifar') return Int32Array.from({ length: end - start }, (_, i) => d.bytes[(start + i) * 3073]);
  if (d.kind === 'images' && d.labels) return d.labels.slice(start, end);
  throw new Error(`dataset: top-1 needs labels; this ${d.kind === 'images' ? 'folder has no class subfolders (ImageFolder layout)' : `${d.kind} data has none`}`);
}

type CocoInput = { data: Float32Array; lb: Letterbox; imageId: number };
/** Decoded, letterboxed images, kept while the process runs (evaluation reruns the same images per config). */
const inputCache = new Map<string, CocoInput>();

/** A COCO image preprocessed for the model (`p.pre`): NCHW data and the letterbox (cached). */
export async function cocoInput(d: CocoData, index: number, p: ModelProfile): Promise<CocoInput> {
  const key = `${d.imageDir}|${index}|${JSON.stringify(p.pre)}`;
  const hit = inputCache.get(key);
  if (hit) return hit;
  const img = d.dataset.images[index];
  const file = join(d.imageDir, img.file_name);
  const { data, lb } = applyPreprocess(await readImage(file), p.pre, file);
  const r = { data, lb, imageId: img.id };
  inputCache.set(key, r);
  return r;
}

/** True when `s` leaves a w x h image as it is (no resampling, no offset), so only the value transform applies. */
function geometryIsIdentity(s: PreprocessSpec, w: number, h: number): boolean {
  const [rw, rh] = resizedSize(s, w, h);
  const fitOk = s.fit.mode === 'none' || (s.fit.width === w && s.fit.height === h);
  return rw === w && rh === h && fitOk && s.layout === 'nchw' && s.channelOrder === 'rgb';
}

/** CIFAR records [s, s + c) under `spec`: only the value transform when the geometry is the identity on 32x32. */
function cifarBatch(d: CifarData, spec: PreprocessSpec, s: number, c: number): { dims: number[]; data: Float32Array } {
  if (geometryIsIdentity(spec, 32, 32)) return { dims: [c, 3, 32, 32], data: readCifarBatch(d.bytes, pixelTransform(spec), s, c).images };
  const rgba = new Uint8Array(32 * 32 * 4);
  let out: Float32Array | undefined;
  let dims: number[] = [];
  for (let i = 0; i < c; i++) {
    const rec = (s + i) * 3073 + 1;
    for (let k = 0; k < 1024; k++) for (let ch = 0; ch < 3; ch++) [rgba[k * 4 + ch], rgba[k * 4 + 3]] = [d.bytes[rec + ch * 1024 + k], 255];
    const p = applyPreprocess({ width: 32, height: 32, data: rgba }, spec, `CIFAR record ${s + i}`);
    out ??= new Float32Array(c * p.data.length);
    out.set(p.data, i * p.data.length);
    dims = [c, ...p.dims.slice(1)];
  }
  return { dims, data: out! };
}

/**
 * Images [start, end) as model feeds in batches of `batch` (COCO: one image per batch, the detectors have a
 * fixed batch of 1). Image files stream: `stats` counts their decoding.
 */
export function calibrationFrom(d: Dataset, p: ModelProfile, start: number, end: number, batch = 50, opts: { stats?: DecodeStats } = {}): CalibrationSet {
  if (!(end > start)) throw new Error(`dataset: empty range of images [${start}, ${end})`);
  const want = p.inputItem.every((v) => v !== undefined) ? (p.inputItem as number[]) : undefined;
  if (d.kind === 'images') return imageBatches(d.files, p.pre, p.input, start, end, batch, { want, stats: opts.stats });
  if (d.kind === 'npy') return npyBatches(d, p.input, start, end, batch, want);
  if (d.kind === 'cifar') {
    return {
      count: Math.ceil((end - start) / batch),
      batch: async (i) => {
        const s = start + i * batch;
        return { [p.input]: cifarBatch(d, p.pre, s, Math.min(batch, end - s)) };
      },
    };
  }
  return {
    count: end - start,
    batch: async (i) => {
      const x = await cocoInput(d, start + i, p);
      return { [p.input]: { dims: [1, ...(p.pre.layout === 'nhwc' ? [x.lb.inputHeight, x.lb.inputWidth, 3] : [3, x.lb.inputHeight, x.lb.inputWidth])], data: x.data } };
    },
  };
}
