/**
 * Model files for a benchmark run (Node side): asset models are the committed ones (models/, or QUANTGPU_ASSETS/models); fixture models are generated
 * from test/fixtures builders at the requested size into bench-results/models/ (git-ignored).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ModelEntry, type QuantVariant, modelFile } from '../src/bench/models.ts';
import { MODELS_DIR, modelPath as assetModelPath } from '../src/eval/assets.ts';

export const ROOT = resolve(import.meta.dirname, '..');
export const ASSETS = MODELS_DIR;
export const GENERATED = resolve(ROOT, 'bench-results/models');

type Builder = (opts: Record<string, unknown>) => unknown;

/** Finds a builder export by name in test/fixtures/*.ts. */
async function findBuilder(name: string): Promise<Builder | undefined> {
  const dir = resolve(ROOT, 'test/fixtures');
  if (!existsSync(dir)) return undefined;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const mod = (await import(pathToFileURL(resolve(dir, f)).href)) as Record<string, unknown>;
    if (typeof mod[name] === 'function') return mod[name] as Builder;
  }
  return undefined;
}

/** Bytes from whatever a builder returns: ONNX bytes, { bytes }, { save() }, or a Graph (saved with onnx/save.ts). */
async function toBytes(built: unknown): Promise<Uint8Array> {
  if (built instanceof Uint8Array) return built;
  const b = built as { bytes?: Uint8Array; save?: () => Uint8Array; nodes?: unknown };
  if (b.bytes instanceof Uint8Array) return b.bytes;
  if (typeof b.save === 'function') return b.save();
  if (Array.isArray(b.nodes)) return (await import('../src/runtime/onnx/save.ts')).save(built as never);
  throw new Error('fixture builder returned neither ONNX bytes nor a Graph');
}

/** The path of the float model (generating it when needed), or an error message. */
export async function modelPath(m: ModelEntry, size: number): Promise<{ path?: string; error?: string }> {
  if (m.kind === 'asset') {
    const path = assetModelPath(m.source);
    return existsSync(path) ? { path } : { error: `asset missing: ${path}` };
  }
  const path = resolve(GENERATED, modelFile(m, size));
  if (existsSync(path)) return { path };
  const build = await findBuilder(m.source);
  if (!build) return { error: `fixture builder ${m.source} not found in test/fixtures/` };
  mkdirSync(GENERATED, { recursive: true });
  const bytes = await toBytes(await build({ resolution: size, batch: 1 }));
  writeFileSync(path, bytes);
  return { path };
}

/** A QDQ export of a model at `size` if one was written next to the generated models. */
export function qdqPath(m: ModelEntry, size: number, variant: QuantVariant = 'int8'): string | undefined {
  const path = resolve(GENERATED, modelFile(m, size, variant));
  return existsSync(path) ? path : undefined;
}

/**
 * Writes a QDQ export of a model (quantgpu's own quantizer: per-channel weights, min/max activations; int8, int4, or
 * the mixed configuration its search finds) next to the generated models. Calibration uses random inputs in the
 * model's input range: enough for speed measurements, not for accuracy (scripts/ptq-table.ts measures that).
 */
export async function ensureQdq(m: ModelEntry, size: number, floatPath: string, variant: QuantVariant = 'int8'): Promise<string> {
  const path = resolve(GENERATED, modelFile(m, size, variant));
  if (existsSync(path)) return path;
  const { quantize } = await import('../src/ptq/quantize.ts');
  const { calibrationSet } = await import('../src/ptq/calibrate.ts');
  const { ortSource } = await import('../src/ptq/source.ts');
  const { readFileSync } = await import('node:fs');
  const [lo, hi] = m.inputRange;
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const dims = [1, 3, size, size];
  const { load } = await import('../src/runtime/onnx/load.ts');
  const bytes = new Uint8Array(readFileSync(floatPath));
  const input = load(bytes).inputs[0].name;
  const batches = [0, 1].map(() => ({ [input]: { dims, data: Float32Array.from({ length: 3 * size * size }, () => lo + (hi - lo) * rand()) } }));
  const r = await quantize(bytes, calibrationSet(batches), { method: 'minmax', weights: variant, searchBatches: 1, source: (g) => ortSource(g) });
  mkdirSync(GENERATED, { recursive: true });
  writeFileSync(path, r.bytes);
  return path;
}
