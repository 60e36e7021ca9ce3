/**
 * The preprocessing options shared by `quantize`, `eval`, `run` and `inspect`, and the config JSON that
 * `quantize` writes next to its model (`<model>.config.json`, key `preprocess`).
 *
 * Precedence: a preset given with --pre (or the older --pixels) > the spec recorded for the model > the guess from
 * the model (modelProfile); then every other option (--resize, --crop, ...) overrides one step.
 */
import { existsSync, readFileSync } from 'node:fs';
import { modelProfile, type ModelProfile } from '../ptq/datasets.ts';
import { PREPROCESS_OPTIONS, type PreprocessOptions, preprocessFromOptions } from '../pre/overrides.ts';
import { type PreprocessSpec, validatePreprocess } from '../pre/spec.ts';
import type { Graph } from '../runtime/ir.ts';
import { type Args, type CommandSpec, flag, UsageError } from './args.ts';

/** The options of every command that reads images (`quantize`, `eval`, `run`), for their option tables. */
export const PREPROCESS_CLI_OPTIONS: CommandSpec['options'] = {
  pre: { value: 'preset', help: 'preprocessing preset: imagenet|cifar|yolo|yolox|fastestdet|raw\n(default: the one recorded in <model>.config.json, else guessed from the model)' },
  pixels: { value: 'preset', help: 'older name of --pre' },
  resize: { value: 'none|N|WxH', help: 'resize: shorter side to N, or exactly W x H' },
  crop: { value: 'none|N|WxH', help: 'center crop after the resize' },
  letterbox: { value: 'N|WxH', help: 'letterbox to W x H instead (aspect kept, padded)' },
  pad: { value: '0..255', help: 'letterbox padding value (default 114)' },
  align: { value: 'top-left|center', help: 'letterbox placement' },
  channels: { value: 'rgb|bgr', help: 'channel order of the model input' },
  scale: { value: 'x', help: 'pixel multiplier, e.g. 1/255 or 1' },
  mean: { value: 'a,b,c', help: 'per-channel mean subtracted after scaling' },
  std: { value: 'a,b,c', help: 'per-channel divisor after the mean' },
  layout: { value: 'nchw|nhwc', help: 'tensor layout' },
  resample: { value: 'bilinear|antialias', help: 'resize filter: antialias = Pillow/torchvision, bilinear = cv2' },
};

/** The preprocessing options given on the command line (`--pixels` is the older name of `--pre`). */
export function preprocessOptions(a: Args): PreprocessOptions {
  const o: PreprocessOptions = {};
  for (const k of PREPROCESS_OPTIONS) {
    const v = flag(a, k);
    if (v !== undefined) o[k] = v;
  }
  o.pre ??= flag(a, 'pixels');
  return o;
}

/** The config JSON `quantize` wrote for `model` (or `configPath`), or undefined when there is none. */
export function readModelConfig(model: string, configPath?: string): { preprocess?: PreprocessSpec; pixels?: string; file: string } | undefined {
  const file = configPath ?? `${model}.config.json`;
  if (!existsSync(file)) return undefined;
  const json = JSON.parse(readFileSync(file, 'utf8')) as { preprocess?: unknown; ptq?: { pixels?: string } };
  if (json.preprocess !== undefined) return { preprocess: validatePreprocess(json.preprocess, `${file}: preprocess`), file };
  // Configs written before declared preprocessing only name the preset.
  return { pixels: json.ptq?.pixels, file };
}

/** The model's profile with the preprocessing the options, the recorded config or the guess give (in that order). */
export function profileFromArgs(g: Graph, path: string, a: Args): ModelProfile & { source: string } {
  const o = preprocessOptions(a);
  const cfg = readModelConfig(path, flag(a, 'config'));
  let base: ModelProfile;
  let source: string;
  if (o.pre !== undefined) [base, source] = [modelProfile(g, path, o.pre), `--pre ${o.pre}`];
  else if (cfg?.preprocess) [base, source] = [modelProfile(g, path, cfg.preprocess), cfg.file];
  else if (cfg?.pixels) [base, source] = [modelProfile(g, path, cfg.pixels), `${cfg.file} (ptq.pixels)`];
  else [base, source] = [modelProfile(g, path), 'guessed from the model (override with --pre)'];
  const rest = { ...o, pre: undefined };
  if (Object.values(rest).every((v) => v === undefined)) return { ...base, source };
  return { ...modelProfile(g, path, preprocessFromOptions(rest, base.pre)), source: `${source} + options` };
}

/** profileFromArgs with mistakes in the options (unknown preset, bad size, --pad without letterbox) as UsageErrors. */
export function profileFromCli(g: Graph, path: string, a: Args): ModelProfile & { source: string } {
  try {
    return profileFromArgs(g, path, a);
  } catch (e) {
    const m = (e as Error).message;
    if (/^(preprocess|--)/.test(m)) throw new UsageError(m);
    throw e;
  }
}
