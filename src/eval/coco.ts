/**
 * COCO instances JSON (the subset quantgpu uses) and COCO results-format detections.
 * Boxes are COCO `[x, y, width, height]` in original-image pixels. Each category carries `yolo_class`, the
 * contiguous 0..79 index the models output.
 */

export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  area: number;
  iscrowd?: number;
}

export interface CocoCategory {
  id: number;
  name: string;
  yolo_class?: number;
}

export interface CocoDataset {
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}

/** One detection in COCO results format. */
export interface CocoDetection {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

/** Parses an instances JSON and checks the fields the evaluator relies on. */
export function parseCocoDataset(json: string | unknown): CocoDataset {
  const d = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<CocoDataset>;
  for (const k of ['images', 'annotations', 'categories'] as const) {
    if (!Array.isArray(d[k])) throw new Error(`coco: dataset has no '${k}' array`);
  }
  const ds = d as CocoDataset;
  const imageIds = new Set(ds.images.map((i) => i.id));
  const catIds = new Set(ds.categories.map((c) => c.id));
  for (const a of ds.annotations) {
    if (!imageIds.has(a.image_id)) throw new Error(`coco: annotation ${a.id} refers to unknown image ${a.image_id}`);
    if (!catIds.has(a.category_id)) throw new Error(`coco: annotation ${a.id} has unknown category ${a.category_id}`);
    if (!Array.isArray(a.bbox) || a.bbox.length !== 4) throw new Error(`coco: annotation ${a.id} has a bad bbox`);
  }
  return ds;
}

/** Parses a results-format JSON array. */
export function parseCocoDetections(json: string | unknown): CocoDetection[] {
  const d = typeof json === 'string' ? JSON.parse(json) : json;
  if (!Array.isArray(d)) throw new Error('coco: detections must be a JSON array');
  return d as CocoDetection[];
}

/** COCO category id of each contiguous model class (`yolo_class`), as an array indexed by class. */
export function yoloClassToCategory(ds: CocoDataset): number[] {
  const out: number[] = [];
  for (const c of ds.categories) {
    if (c.yolo_class === undefined) throw new Error(`coco: category ${c.id} (${c.name}) has no yolo_class`);
    out[c.yolo_class] = c.id;
  }
  return out;
}

/**
 * Detections (x1, y1, x2, y2 boxes in image pixels, scores, contiguous classes) in COCO results format.
 * Coordinates are rounded to 0.01 px like the reference files.
 */
export function toCocoDetections(
  imageId: number,
  det: { boxes: Float32Array; scores: Float32Array; classes: Int32Array },
  classToCategory: readonly number[],
): CocoDetection[] {
  const r2 = (v: number): number => Math.round(v * 100) / 100;
  return Array.from(det.scores, (score, i) => {
    const [x1, y1, x2, y2] = det.boxes.subarray(i * 4, i * 4 + 4);
    const category = classToCategory[det.classes[i]];
    if (category === undefined) throw new Error(`coco: no category for class ${det.classes[i]}`);
    return {
      image_id: imageId, category_id: category, bbox: [r2(x1), r2(y1), r2(x2 - x1), r2(y2 - y1)],
      score: Math.round(score * 1e5) / 1e5,
    };
  });
}
