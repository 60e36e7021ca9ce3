/**
 * Accuracy and speed of a model on a dataset: top-1 on CIFAR-10 and ImageFolder image folders, COCO mAP / AP50 on COCO images, and images per
 * second of the model run itself (preprocessing, decoding and NMS excluded). The model runs through a Runner:
 * the GPU runtime (what the README table reports) or onnxruntime-node (reference, fake quant).
 */
import { top1 } from '../eval/cifar.ts';
import { evaluateCoco } from '../eval/coco-map.ts';
import { type CocoDetection, toCocoDetections, yoloClassToCategory } from '../eval/coco.ts';
import { postprocess } from '../post/detect.ts';
import { load } from '../runtime/onnx/load.ts';
import { calibrationFrom, cocoInput, type Dataset, datasetLabels, type ModelProfile } from './datasets.ts';
import type { DecodeStats } from './image-batches.ts';
import { ortSource, type Tensors, withCalmGpuPolling } from './source.ts';

export interface Runner {
  label: string;
  run(feeds: Tensors): Promise<Tensors>;
  /** Bytes of weights as the runner holds them, when it knows. */
  weightBytes?: number;
  dispose(): Promise<void>;
}

/**
 * The GPU runtime (WebGPU; SwiftShader under Node without a GPU). QDQ models run on the integer kernels. An
 * accuracy run is a throughput job: Dawn's polling is calmed while a run is in flight (source.ts
 * `withCalmGpuPolling`), so it does not take a core from SwiftShader.
 */
export async function gpuRunner(bytes: Uint8Array, inputShapes: Record<string, number[]>): Promise<Runner> {
  const { InferenceSession } = await import('../runtime/session.ts');
  const { acquireNodeDevice } = await import('../node/gpu.ts');
  const s = await InferenceSession.create(bytes, { context: await acquireNodeDevice(), inputShapes });
  return {
    label: 'quantgpu (WebGPU)',
    weightBytes: s.memory().weightBytes,
    run: (feeds) => withCalmGpuPolling(() => s.run(feeds)),
    dispose: async () => s.dispose(),
  };
}

/** onnxruntime-node CPU: 'all' runs QDQ models on ORT's integer kernels, 'disabled' is the fake-quant simulation. */
export async function ortRunner(bytes: Uint8Array, optimization: 'all' | 'disabled' = 'all'): Promise<Runner> {
  const g = load(bytes);
  const src = await ortSource(g, { optimization });
  const names = g.outputs.map((o) => o.name);
  return { label: src.label, run: (feeds) => src.run(feeds, names), dispose: () => src.dispose() };
}

export interface EvalResult {
  task: 'classify' | 'detect';
  images: number;
  top1?: number;
  mAP?: number;
  AP50?: number;
  /** Milliseconds in runner.run, total, and images per second from it. */
  runMs: number;
  fps: number;
}

export interface EvalOptions {
  start: number;
  end: number;
  /** Classifier batch size (default 50). */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
  /** Counts image decoding (image folders). */
  stats?: DecodeStats;
  /**
   * Detectors: called with each image's COCO detections as they are made, so that a run stopped part way (the
   * GPU runtime on SwiftShader under load) can still be scored on the images it finished (scripts/ptq-eval.ts).
   */
  onDetections?: (index: number, dets: CocoDetection[]) => void;
}

export async function evaluate(runner: Runner, d: Dataset, p: ModelProfile, opts: EvalOptions): Promise<EvalResult> {
  const { start, end } = opts;
  let runMs = 0;
  const timed = async (feeds: Tensors): Promise<Tensors> => {
    const t0 = performance.now();
    const out = await runner.run(feeds);
    runMs += performance.now() - t0;
    return out;
  };
  if (d.kind !== 'coco') {
    if (p.task !== 'classify') throw new Error(`evaluate: a detector is scored on COCO (instances json + images), not on ${d.kind} data`);
    const batch = opts.batch ?? 50;
    const labels = datasetLabels(d, start, end);
    const set = calibrationFrom(d, p, start, end, batch, { stats: opts.stats });
    const logits: number[] = [];
    let classes = 0;
    for (let b = 0; b < set.count; b++) {
      const x = (await set.batch(b))[p.input];
      const n = x.dims[0];
      // The GPU session is planned for `batch` images: a short last batch is padded with zeros, their logits dropped.
      const data = n < batch ? new Float32Array((x.data.length / n) * batch) : x.data;
      if (n < batch) data.set(x.data);
      const out = Object.values(await timed({ [p.input]: { dims: [n < batch ? batch : n, ...x.dims.slice(1)], data } }))[0];
      classes = out.dims.at(-1)!;
      logits.push(...out.data.subarray(0, n * classes));
      opts.onProgress?.(Math.min(end - start, (b + 1) * batch), end - start);
    }
    const maxLabel = labels.reduce((m, v) => Math.max(m, v), 0);
    if (maxLabel >= classes) throw new Error(`evaluate: label ${maxLabel} but the model outputs ${classes} classes (check the class folders / --classes)`);
    return { task: 'classify', images: end - start, top1: top1(logits, labels, classes), runMs, fps: ((end - start) * 1000) / runMs };
  }
  const decoder = p.decoder;
  if (!decoder?.inputSize) throw new Error('evaluate: not a detector with a known input size');
  const classToCat = yoloClassToCategory(d.dataset);
  const dets: CocoDetection[] = [];
  for (let i = start; i < end; i++) {
    const { data, lb, imageId } = await cocoInput(d, i, p);
    const out = Object.values(await timed({ [p.input]: { dims: [1, 3, decoder.inputSize[1], decoder.inputSize[0]], data } }))[0];
    const det = postprocess(decoder, out.data, out.dims, lb, { confThreshold: p.confThreshold, iouThreshold: p.iouThreshold ?? 0.65, maxDetections: 100 });
    const coco = toCocoDetections(imageId, det, classToCat);
    opts.onDetections?.(i, coco);
    dets.push(...coco);
    opts.onProgress?.(i + 1 - start, end - start);
  }
  const ids = new Set(d.dataset.images.slice(start, end).map((im) => im.id));
  const gt = { ...d.dataset, images: d.dataset.images.filter((im) => ids.has(im.id)), annotations: d.dataset.annotations.filter((a) => ids.has(a.image_id)) };
  const r = evaluateCoco(gt, dets);
  return { task: 'detect', images: end - start, mAP: r.mAP, AP50: r.AP50, runMs, fps: ((end - start) * 1000) / runMs };
}
