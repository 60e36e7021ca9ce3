/**
 * Browser side of declared preprocessing: decode with `createImageBitmap`, read the pixels back through an
 * OffscreenCanvas, then apply the same PreprocessSpec as the CLI (apply.ts), so a model quantized and scored
 * from the command line sees the same tensor in a page.
 *
 *   const spec = preprocessFromConfig(await (await fetch('model.onnx.config.json')).json());
 *   const { data, dims } = await preprocessImage(fileInput.files[0], spec);
 *   const out = await session.run({ [session.inputNames[0]]: { dims, data } });
 */
import { applyPreprocess, type Preprocessed } from './apply.ts';
import type { RgbaImage } from './preprocess.ts';
import { type PreprocessSpec, validatePreprocess } from './spec.ts';

/** The spec recorded in a config JSON written by `quantgpu quantize` (key `preprocess`); throws when absent. */
export function preprocessFromConfig(config: unknown): PreprocessSpec {
  const pre = (config as { preprocess?: unknown } | null)?.preprocess;
  if (pre === undefined) throw new Error('preprocess: this config has no "preprocess" entry (written by quantgpu quantize)');
  return validatePreprocess(pre, 'config preprocess');
}

/**
 * RGBA8 pixels of an encoded image (Blob / File) or of anything createImageBitmap takes. No colour-space
 * conversion and no premultiplied alpha, so the bytes are the file's, as the Node decoder gives them.
 */
export async function decodeBrowserImage(source: ImageBitmapSource): Promise<RgbaImage> {
  const bitmap = await createImageBitmap(source, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('preprocess: no 2D context on OffscreenCanvas');
    ctx.drawImage(bitmap, 0, 0);
    const { data, width, height } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width, height, data };
  } finally {
    bitmap.close();
  }
}

/** Decodes `source` and applies `spec`: one model input [1, 3, H, W] (or NHWC) and the image-to-tensor map. */
export async function preprocessImage(source: ImageBitmapSource, spec: PreprocessSpec): Promise<Preprocessed> {
  return applyPreprocess(await decodeBrowserImage(source), spec, source instanceof File ? source.name : 'image');
}
