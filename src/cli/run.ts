/**
 * `quantgpu run` (inputs from .npy files, or `--image <file>` decoded and preprocessed as the model's config
 * declares) and `quantgpu inspect` (the plan and the declared preprocessing).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy, writeNpy } from '../io/npy.ts';
import { acquireNodeDevice } from '../node/gpu.ts';
import type { Precision, SessionOptions } from '../runtime/api.ts';
import { parsePrecisionConfig } from '../runtime/precision.ts';
import { InferenceSession } from '../runtime/session.ts';
import { type Args, flag, flagAll, parseArgs } from './args.ts';
import { describePreprocess } from '../pre/spec.ts';
import { profileFromArgs, readModelConfig } from './preprocess-flags.ts';
import { progressBar } from './progress.ts';

const PRECISIONS = ['fp32', 'fp16', 'int8', 'int4'];

/** Session options from --precision / --config. */
export function sessionOptions(a: Args): SessionOptions {
  const precision = flag(a, 'precision');
  if (precision && !PRECISIONS.includes(precision)) throw new Error(`--precision must be one of ${PRECISIONS.join('|')}, got '${precision}'`);
  const configPath = flag(a, 'config');
  const config = configPath ? parsePrecisionConfig(JSON.parse(readFileSync(configPath, 'utf8'))) : undefined;
  const bar = progressBar('plan');
  return {
    precision: precision as Precision | undefined,
    config,
    onProgress: (p) => bar(p.done, p.total, p.stage),
  };
}

async function openSession(a: Args, extra: SessionOptions = {}): Promise<InferenceSession> {
  const path = a.positionals[0];
  if (!path) throw new Error('missing <model.onnx>');
  const bytes = new Uint8Array(readFileSync(path));
  const context = await acquireNodeDevice();
  return InferenceSession.create(bytes, { ...sessionOptions(a), ...extra, context });
}

export async function runCommand(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  const out = flag(a, 'out');
  if (!out) throw new Error('missing --out <dir>');
  const feeds: Record<string, { dims: number[]; data: Float32Array }> = {};
  for (const spec of flagAll(a, 'input')) {
    const eq = spec.indexOf('=');
    if (eq < 1) throw new Error(`--input expects <name>=<file.npy>, got '${spec}'`);
    const arr = readNpy(new Uint8Array(readFileSync(spec.slice(eq + 1))));
    const data = arr.data instanceof Float32Array ? arr.data : Float32Array.from(arr.data as ArrayLike<number>, Number);
    feeds[spec.slice(0, eq)] = { dims: arr.shape, data };
  }
  const images = flagAll(a, 'image');
  if (images.length) {
    // Decoded and preprocessed as recorded in the model's config (or per --pre / step options), one batch.
    const { load } = await import('../runtime/onnx/load.ts');
    const { loadImageBatch } = await import('../ptq/image-batches.ts');
    const profile = profileFromArgs(load(new Uint8Array(readFileSync(a.positionals[0] ?? ''))), a.positionals[0], a);
    console.error(`preprocessing (${profile.source}): ${describePreprocess(profile.pre)}`);
    feeds[profile.input] = await loadImageBatch(images, profile.pre);
  }
  const inputShapes = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.dims]));
  const session = await openSession(a, { inputShapes });
  const t0 = performance.now();
  const result = await session.run(feeds);
  const ms = performance.now() - t0;
  mkdirSync(out, { recursive: true });
  for (const [name, t] of Object.entries(result)) {
    const file = join(out, `${name.replace(/[^\w.-]/g, '_')}.npy`);
    writeFileSync(file, writeNpy({ shape: t.dims, data: t.data }));
    console.log(`${name} [${t.dims}] -> ${file}`);
  }
  console.log(`ran in ${ms.toFixed(1)} ms (first run, includes upload and readback)`);
  session.dispose();
}

export async function inspectCommand(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  const session = await openSession(a);
  console.log(session.describePlan());
  const cfg = readModelConfig(a.positionals[0], flag(a, 'config'));
  const pre = cfg?.preprocess ? describePreprocess(cfg.preprocess) : cfg?.pixels ? `preset ${cfg.pixels}` : undefined;
  console.log(`preprocessing: ${pre ? `${pre} (${cfg!.file})` : 'none recorded (quantize writes it to <model>.config.json)'}`);
  session.dispose();
}
