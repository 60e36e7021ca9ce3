/**
 * Model bytes for the camera: from a URL or a picked file, optionally re-planned at another square input size.
 * Fully convolutional detectors (YOLOX, YOLOv5/v8 exports with `-1` reshapes) run at any multiple of 32; a
 * smaller input trades accuracy for speed on slow GPUs.
 */
import { load } from '../runtime/onnx/load.ts';
import { save } from '../runtime/onnx/save.ts';
import { ModelError } from '../runtime/ir.ts';

/** Fetches model bytes; errors name the URL and status. */
export async function fetchModel(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new ModelError(`could not fetch model ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * The same model with its image input set to [1, 3, size, size] and its output shapes left to inference.
 * Throws when the size is not a multiple of 32 (the largest detector stride).
 */
export function withInputSize(bytes: Uint8Array, size: number): Uint8Array {
  if (!Number.isInteger(size) || size <= 0 || size % 32 !== 0) throw new ModelError(`withInputSize: ${size} is not a positive multiple of 32`);
  const graph = load(bytes);
  if (graph.inputs.length !== 1 || graph.inputs[0].shape.length !== 4) {
    throw new ModelError(`withInputSize: expected one image input [N, 3, H, W], got ${graph.inputs.map((i) => `${i.name} [${i.shape}]`).join(', ')}`);
  }
  graph.inputs[0].shape = [1, graph.inputs[0].shape[1], size, size];
  graph.outputs.forEach((o) => (o.shape = o.shape.map((_, k) => `${o.name}_${k}`)));
  graph.valueInfo.clear();
  return save(graph);
}
