/**
 * Where the shared test assets live (Node only): `<repo>/../shared/assets`, or QUANTGPU_ASSETS if set.
 * Tests, benchmarks and demos load models and data from there at run time and skip when it is absent.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Absolute path of the assets folder (it may not exist). */
export function assetsDir(): string {
  return process.env.QUANTGPU_ASSETS ?? path.resolve(repoRoot, '../shared/assets');
}

/** Absolute path of an asset, e.g. `assetPath('models/yolox_nano_coco_416.onnx')`. */
export function assetPath(rel: string): string {
  return path.join(assetsDir(), rel);
}

/** Undefined when every listed asset exists, else a message naming the missing ones (for `it.skipIf`). */
export function missingAssets(...rels: string[]): string | undefined {
  const missing = rels.filter((r) => !existsSync(assetPath(r)));
  return missing.length ? `assets missing under ${assetsDir()}: ${missing.join(', ')}` : undefined;
}
