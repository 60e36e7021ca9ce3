/**
 * Where models and labeled data live (Node only): the one place tests, benchmarks and scripts ask.
 *
 * - Models: the four pretrained models are committed under `<repo>/models/` (with their licenses), so a fresh
 *   clone anywhere has them. `QUANTGPU_ASSETS/models/<file>` is used instead when it exists (a different copy).
 * - Labeled data (CIFAR-10 test images, coco128) is not in git: `$QUANTGPU_ASSETS/data`, else
 *   `<repo>/../shared/assets/data`. Whatever needs it skips with {@link missingAssets}'s one-line message.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is src/eval/assets.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The committed models (`<repo>/models`). */
export const MODELS_DIR = path.join(REPO_ROOT, 'models');

/** How to get the labeled data, said once wherever something skips for want of it. */
export const DATA_HINT = 'set QUANTGPU_ASSETS to a folder holding data/ (CIFAR-10 and coco128: see README "Test data")';

/** Absolute path of the assets folder holding `data/` (it may not exist): QUANTGPU_ASSETS or ../shared/assets. */
export function assetsDir(): string {
  return process.env.QUANTGPU_ASSETS ? path.resolve(process.env.QUANTGPU_ASSETS) : path.resolve(REPO_ROOT, '../shared/assets');
}

/** Absolute path of a model file by name: QUANTGPU_ASSETS/models/<file> when present, else the committed copy. */
export function modelPath(file: string): string {
  const override = process.env.QUANTGPU_ASSETS && path.join(assetsDir(), 'models', file);
  return override && existsSync(override) ? override : path.join(MODELS_DIR, file);
}

/**
 * Absolute path of an asset named relative to an assets folder, e.g. `models/yolox_nano_coco_416.onnx` (resolved
 * by {@link modelPath}) or `data/cifar10_test_1000.bin` (under {@link assetsDir}).
 */
export function assetPath(rel: string): string {
  const norm = rel.replace(/\\/g, '/');
  return norm.startsWith('models/') ? modelPath(norm.slice('models/'.length)) : path.join(assetsDir(), norm);
}

/** The bytes of an asset (see {@link assetPath}). */
export function readAsset(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(assetPath(rel)));
}

/** True when the labeled data folder exists. */
export const hasData = existsSync(path.join(assetsDir(), 'data'));

/**
 * Undefined when every listed asset exists, else one line naming what is missing and how to get it
 * (for `describe.skipIf` titles and skip messages).
 */
export function missingAssets(...rels: string[]): string | undefined {
  const missing = rels.filter((r) => !existsSync(assetPath(r)));
  if (!missing.length) return undefined;
  const data = missing.some((r) => !r.replace(/\\/g, '/').startsWith('models/'));
  return `missing under ${data ? assetsDir() : MODELS_DIR}: ${missing.join(', ')}${data ? `; ${DATA_HINT}` : ''}`;
}
