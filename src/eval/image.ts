/**
 * Image decoding under Node: JPEG, PNG and WebP files to RGBA8.
 *
 * The decoder is `sharp` (libvips with libjpeg-turbo, libspng and libwebp; prebuilt binaries ship as npm packages
 * `@img/sharp-*`, so it installs without a compiler). On COCO JPEGs it decodes about 4x faster than the pure-JS
 * `jpeg-js` on one thread, and it runs in libuv's thread pool, so several files decode while the model runs.
 * It is an optional dependency: without it JPEG falls back to `jpeg-js` (with a one-time notice) and PNG / WebP
 * fail with a message saying how to install it. Both are loaded on first use so browser bundles never pull them.
 *
 * No EXIF auto-rotation is applied, like PIL / torchvision's ImageFolder.
 */
import type { RgbaImage } from '../pre/preprocess.ts';

/** Decodes encoded image bytes into RGBA8. */
export type ImageDecoder = (bytes: Uint8Array) => RgbaImage;

/** File name extensions the folder readers pick up (lower case, with the dot). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'];

type Sharp = (typeof import('sharp'))['default'];
let sharpModule: Sharp | null | undefined;
let jpeg: ImageDecoder | undefined;
let warned = false;

/** The sharp module, or null when it is not installed (or its native part cannot load here). */
export async function loadSharp(): Promise<Sharp | null> {
  if (sharpModule !== undefined) return sharpModule;
  try {
    const mod = (await import('sharp')) as unknown as { default?: Sharp };
    sharpModule = (mod.default ?? mod) as Sharp;
  } catch {
    sharpModule = null;
  }
  return sharpModule;
}

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

/** Decodes `bytes` (named `name` in errors) with sharp, or jpeg-js for a JPEG when sharp is missing. */
export async function decodeImage(bytes: Uint8Array, name: string): Promise<RgbaImage> {
  const sharp = await loadSharp();
  if (sharp) {
    try {
      // sRGB first so grey and palette images come out as 3 colour channels, then an opaque alpha.
      const { data, info } = await sharp(bytes).toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== 4) throw new Error(`decoded to ${info.channels} channels, expected 4 (RGBA)`);
      return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    } catch (e) {
      throw new Error(`image: cannot decode ${name}: ${(e as Error).message}`);
    }
  }
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const fallback = isJpeg ? await jpegDecoder() : undefined;
  if (!fallback) {
    throw new Error(`image: cannot decode ${name}: ${isJpeg ? 'neither sharp nor jpeg-js is' : 'PNG and WebP need the optional package sharp, which is not'} installed (npm install sharp)`);
  }
  if (!warned) {
    warned = true;
    process.stderr.write('image: sharp is not installed; decoding JPEG with the slower pure-JS jpeg-js (npm install sharp)\n');
  }
  try {
    return fallback(bytes);
  } catch (e) {
    throw new Error(`image: cannot decode ${name}: ${(e as Error).message}`);
  }
}

/** Reads and decodes an image file; throws naming the file when it cannot. */
export async function readImage(file: string): Promise<RgbaImage> {
  const { readFile } = await import('node:fs/promises');
  return decodeImage(await readFile(file), file);
}

/** @deprecated Kept for older callers: same as readImage (any supported format). */
export const readJpeg = readImage;
