/**
 * Image decoding under Node, behind a small interface so the pure-JS decoder can be swapped.
 * Uses `jpeg-js` (pure JavaScript, no native build), loaded on first use so that browser bundles never pull it.
 */
import type { RgbaImage } from '../pre/preprocess.ts';

/** Decodes encoded image bytes into RGBA8. */
export type ImageDecoder = (bytes: Uint8Array) => RgbaImage;

let jpeg: ImageDecoder | undefined;

/** The jpeg-js decoder, or undefined (with no throw) when the package is not installed. */
export async function jpegDecoder(): Promise<ImageDecoder | undefined> {
  if (jpeg) return jpeg;
  try {
    const mod = (await import('jpeg-js')) as { decode?: unknown; default?: { decode?: unknown } };
    const decode = (mod.decode ?? mod.default?.decode) as
      | ((b: Uint8Array, o: { useTArray: true; formatAsRGBA: true; maxMemoryUsageInMB: number }) => RgbaImage)
      | undefined;
    if (!decode) return undefined;
    jpeg = (bytes) => {
      const img = decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: img.width, height: img.height, data: img.data };
    };
    return jpeg;
  } catch {
    return undefined;
  }
}

/** Reads and decodes a JPEG file; throws naming the file when it cannot. */
export async function readJpeg(file: string): Promise<RgbaImage> {
  const decode = await jpegDecoder();
  if (!decode) throw new Error(`image: cannot decode ${file}: the pure-JS 'jpeg-js' package is not installed`);
  const { readFile } = await import('node:fs/promises');
  return decode(await readFile(file));
}
