/**
 * `quantgpu run` (inputs from .npy files, or `--image` files decoded and preprocessed as the model's config declares)
 * and `quantgpu inspect` (the plan, and the recorded preprocessing). Every argument is checked (files exist and have the right format, --out is
 * writable, --config parses and names real layers, inputs match the model) before the GPU is touched.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy, writeNpy } from '../io/npy.ts';
import { acquireNodeDevice } from '../node/gpu.ts';
import type { SessionOptions } from '../runtime/api.ts';
import type { Graph } from '../runtime/ir.ts';
import { load } from '../runtime/onnx/load.ts';
import { type PrecisionConfig, parsePrecisionConfig } from '../runtime/precision.ts';
import { checkConfigLayers } from '../runtime/precision-check.ts';
import { PRECISION_ALIASES, PRECISION_MEANING, PRECISION_NAMES, precisionName, sessionPrecision } from '../runtime/precision-names.ts';
import { InferenceSession } from '../runtime/session.ts';
import { DEVICE_PROFILES, deviceProfile } from '../gpu/profiles.ts';
import { planModel } from '../runtime/plan/build.ts';
import { describePlan } from '../runtime/plan/describe.ts';
import { type Args, type CommandSpec, UsageError, flag, flagAll, helpText, parseCommand } from './args.ts';
import { describePreprocess } from '../pre/spec.ts';
import { loadImageBatch } from '../ptq/image-batches.ts';
import { ensureWritableDir, readJsonFile, readModelFile, readNpyFile } from './files.ts';
import { PREPROCESS_CLI_OPTIONS, profileFromCli, readModelConfig } from './preprocess-flags.ts';
import { progressBar } from './progress.ts';

/** The precision names and what they mean, for --help. */
export const PRECISION_HELP = `precisions (--precision):\n${PRECISION_NAMES.map((p) => `  ${p.padEnd(6)} ${PRECISION_MEANING[p]}`).join('\n')}\n` +
  `  (old names: ${Object.entries(PRECISION_ALIASES).map(([k, v]) => `${k} = ${v}`).join(', ')})`;

const SESSION_OPTIONS: CommandSpec['options'] = {
  precision: { value: 'name', help: `${PRECISION_NAMES.join('|')} (default fp32; see below)` },
  config: { value: 'layers.json', help: 'per-layer precision config (JSON: {"default": {...}, "layers": {...}})' },
};

export const RUN: CommandSpec = {
  name: 'run',
  synopsis: 'quantgpu run <model.onnx> (--input <name>=<file.npy> ... | --image <file> ...) --out <dir> [--precision <name>] [--config <layers.json>]',
  summary: 'Runs the model once on the GPU (WebGPU through Dawn) and writes each output as <dir>/<output>.npy.',
  options: {
    input: { value: 'name=file.npy', multiple: true, help: 'a model input as a float32 .npy array of its shape (repeat per input)' },
    image: { value: 'file', multiple: true, help: 'an image (JPEG/PNG/WebP) for the first input, preprocessed as recorded in\n<model>.config.json or per the options below; repeat for a batch' },
    out: { value: 'dir', short: 'o', help: 'directory for the outputs (created if missing)' },
    ...SESSION_OPTIONS,
    ...PREPROCESS_CLI_OPTIONS,
  },
  notes: `${PRECISION_HELP}\n\nexit codes: 0 ok, 1 the model could not be planned or run, 2 wrong arguments`,
};

export const INSPECT: CommandSpec = {
  name: 'inspect',
  synopsis: 'quantgpu inspect <model.onnx> [--precision <name>] [--config <layers.json>] [--caps <profile>]',
  summary: 'Plans the model and prints each GPU step: node, kernel, precision, shapes and weight bytes.',
  options: {
    ...SESSION_OPTIONS,
    caps: { value: 'profile', help: `plan for a device profile without a GPU: ${Object.keys(DEVICE_PROFILES).join('|')}\n(default: plan on this machine's GPU)` },
  },
  notes: `${PRECISION_HELP}\n\nexit codes: 0 ok, 1 the model could not be planned, 2 wrong arguments`,
};

/** --config read and validated (file, JSON, schema); errors name the file. */
function readConfig(a: Args): PrecisionConfig | undefined {
  const path = flag(a, 'config');
  if (!path) return undefined;
  try {
    return parsePrecisionConfig(readJsonFile('--config', path));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--config ${path}: ${(e as Error).message.replace(/^precision config:? ?/, '')}`);
  }
}

/** Session options from --precision / --config, checked against the loaded graph. */
export function sessionOptions(a: Args, graph: Graph, config = readConfig(a)): SessionOptions {
  const raw = flag(a, 'precision');
  const name = raw === undefined ? undefined : precisionName(raw);
  if (raw !== undefined && !name) throw new UsageError(`--precision must be one of ${PRECISION_NAMES.join(', ')}; got '${raw}'`);
  if (config) {
    try {
      checkConfigLayers(config, graph);
    } catch (e) {
      throw new UsageError(`--config ${flag(a, 'config')}: ${(e as Error).message.replace(/^precision config: /, '')}`);
    }
  }
  const isQdq = graph.nodes.some((n) => n.opType === 'DequantizeLinear');
  let precision: SessionOptions['precision'];
  try {
    precision = name ? sessionPrecision(name, isQdq) : undefined;
  } catch (e) {
    throw new UsageError(`--precision ${raw}: ${(e as Error).message}`);
  }
  const bar = progressBar('plan');
  return { precision, config, onProgress: (p) => bar(p.done, p.total, p.stage) };
}

/** --input name=file.npy pairs, read and checked against the model's inputs (names, rank, fixed dims). */
function readFeeds(a: Args, graph: Graph, feeds: Record<string, { dims: number[]; data: Float32Array }> = {}): Record<string, { dims: number[]; data: Float32Array }> {
  const inputs = new Map(graph.inputs.map((i) => [i.name, i.shape]));
  const list = `the model's inputs: ${graph.inputs.map((i) => `${i.name} [${i.shape}]`).join(', ')}`;
  for (const spec of flagAll(a, 'input')) {
    const eq = spec.indexOf('=');
    if (eq < 1) throw new UsageError(`--input expects <name>=<file.npy>, got '${spec}' (${list})`);
    const [name, file] = [spec.slice(0, eq), spec.slice(eq + 1)];
    if (!inputs.has(name)) throw new UsageError(`--input ${spec}: the model has no input '${name}' (${list})`);
    let arr: ReturnType<typeof readNpy>;
    try {
      arr = readNpy(readNpyFile(`--input ${name}=`, file));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`--input ${name}=${file}: ${(e as Error).message}`);
    }
    const want = inputs.get(name)!;
    if (arr.shape.length !== want.length || want.some((d, i) => typeof d === 'number' && d > 0 && d !== arr.shape[i])) {
      throw new UsageError(`--input ${name}=${file}: the array has shape [${arr.shape}], the model's input '${name}' is [${want}] (named dims may take any size)`);
    }
    const data = arr.data instanceof Float32Array ? arr.data : Float32Array.from(arr.data as ArrayLike<number>, Number);
    feeds[name] = { dims: arr.shape, data };
  }
  const missing = graph.inputs.filter((i) => !(i.name in feeds));
  if (missing.length) throw new UsageError(`missing --input for ${missing.map((i) => `'${i.name}' [${i.shape}]`).join(', ')}`);
  return feeds;
}

export async function runCommand(argv: string[]): Promise<void> {
  const a = parseCommand(RUN, argv);
  if (a.help) return void process.stdout.write(helpText(RUN));
  const path = a.positionals[0];
  const bytes = readModelFile(path, 'run');
  const out = flag(a, 'out');
  if (!out) throw new UsageError("run: missing --out <dir> (run 'quantgpu run --help')");
  ensureWritableDir('--out', out);
  const config = readConfig(a);
  const graph = load(bytes);
  const images = flagAll(a, 'image');
  const fromImages: Record<string, { dims: number[]; data: Float32Array }> = {};
  if (images.length) {
    const profile = profileFromCli(graph, path!, a);
    console.error(`preprocessing (${profile.source}): ${describePreprocess(profile.pre)}`);
    const want = profile.inputItem.every((d) => d !== undefined) ? (profile.inputItem as number[]) : undefined;
    fromImages[profile.input] = await loadImageBatch(images, profile.pre, want);
  }
  const feeds = readFeeds(a, graph, fromImages);
  const opts = sessionOptions(a, graph, config);
  const inputShapes = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.dims]));
  const session = await InferenceSession.create(bytes, { ...opts, inputShapes, context: await acquireNodeDevice() });
  try {
    const t0 = performance.now();
    const result = await session.run(feeds);
    const ms = performance.now() - t0;
    for (const [name, t] of Object.entries(result)) {
      const file = join(out, `${name.replace(/[^\w.-]/g, '_')}.npy`);
      writeFileSync(file, writeNpy({ shape: t.dims, data: t.data }));
      console.log(`${name} [${t.dims}] -> ${file}`);
    }
    console.log(`ran in ${ms.toFixed(1)} ms (first run, includes upload and readback)`);
  } finally {
    session.dispose();
  }
}

export async function inspectCommand(argv: string[]): Promise<void> {
  const a = parseCommand(INSPECT, argv);
  if (a.help) return void process.stdout.write(helpText(INSPECT));
  const bytes = readModelFile(a.positionals[0], 'inspect');
  const profile = flag(a, 'caps');
  if (profile !== undefined && !(profile in DEVICE_PROFILES)) {
    throw new UsageError(`--caps must be one of ${Object.keys(DEVICE_PROFILES).join(', ')}; got '${profile}'`);
  }
  const config = readConfig(a);
  const opts = sessionOptions(a, load(bytes), config);
  if (profile !== undefined) {
    // No device: the same pure planner the session runs, for the profile's caps and limits.
    console.log(describePlan(planModel(bytes, deviceProfile(profile), opts)));
  } else {
    const session = await InferenceSession.create(bytes, { ...opts, context: await acquireNodeDevice() });
    console.log(session.describePlan());
    session.dispose();
  }
  const cfg = readModelConfig(a.positionals[0]!, flag(a, 'config'));
  const pre = cfg?.preprocess ? describePreprocess(cfg.preprocess) : cfg?.pixels ? `preset ${cfg.pixels}` : undefined;
  console.log(`preprocessing: ${pre ? `${pre} (${cfg!.file})` : 'none recorded (quantize writes it to <model>.config.json)'}`);
}
