/** The shared test assets (real models and data), loaded at run time from ../shared/assets. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ASSETS = process.env.QUANTGPU_ASSETS ?? resolve(REPO_ROOT, '../shared/assets');
export const hasAssets = existsSync(resolve(ASSETS, 'models'));
if (!hasAssets) console.warn(`quantgpu tests: assets not found at ${ASSETS}; tests that need them are skipped`);

export function assetPath(rel: string): string {
  return resolve(ASSETS, rel);
}

export function readAsset(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(assetPath(rel)));
}
