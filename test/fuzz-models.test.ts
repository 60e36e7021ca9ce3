/**
 * Seeded fuzzing of the four asset models (issue 12): truncations and bit flips. Each mutated file either fails
 * with a ModelError that has a message, or loads, plans and runs; a run that gives non-finite outputs must agree
 * with onnxruntime on the mutated model (a flipped exponent bit can make a weight 2^124, and then Inf is the right
 * answer). Never a crash, a hang, an unhandled rejection or an empty message. Bounded by a time budget (about a
 * minute); SEED=n replays the same sequence of cases.
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../src/runtime/session.ts';
import { ModelError } from '../src/runtime/ir.ts';
import { testGpu } from './helpers/gpu.ts';
import { ortRun } from './helpers/ort.ts';
import { type Rng, testRng } from './helpers/rng.ts';
import { hasAssets, readAsset } from './helpers/assets.ts';

const MODELS = ['resnet20_cifar10.onnx', 'resnet8_cifar10_mlperf_tiny.onnx', 'fastestdet_coco_352.onnx', 'yolox_nano_coco_416.onnx'];
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 50_000);

interface Case { model: string; what: string; bytes: Uint8Array }

/**
 * Case k of a model: a truncation every third case, else one to four bit flips. Flips land in the first 4 KiB
 * (nodes, attributes, dims and names come first in these files) or, for the two small classifiers only,
 * anywhere (mostly weights: such a model loads and runs, which costs tens of seconds for the detectors on a
 * software GPU, so they get structure flips only).
 */
function mutate(rng: Rng, model: string, src: Uint8Array, k: number, anywhere: boolean): Case {
  if (k % 3 === 0) {
    const len = rng.int(0, src.length - 1);
    return { model, what: `truncated to ${len} of ${src.length} bytes`, bytes: src.slice(0, len) };
  }
  const bytes = src.slice();
  const flips = rng.int(1, 4);
  const at: string[] = [];
  for (let f = 0; f < flips; f++) {
    const pos = anywhere && k % 3 === 2 ? rng.int(0, src.length - 1) : rng.int(0, Math.min(4095, src.length - 1));
    const bit = rng.int(0, 7);
    bytes[pos] ^= 1 << bit;
    at.push(`${pos}.${bit}`);
  }
  return { model, what: `bit flips at ${at.join(', ')}`, bytes };
}

/** 'refused: <message>', 'ran' or 'non-finite (onnxruntime agrees)'; throws (fails the test) on anything else. */
async function check(c: Case, rng: Rng): Promise<string> {
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(c.bytes, { context: await testGpu() });
  } catch (e) {
    expect(e, `${c.model} ${c.what}: create() threw ${String(e)}`).toBeInstanceOf(ModelError);
    expect((e as Error).message.length, `${c.model} ${c.what}: empty message`).toBeGreaterThan(0);
    return `refused: ${(e as Error).message.slice(0, 120)}`;
  }
  try {
    const feeds = Object.fromEntries(Object.entries(session.inputShapes).map(([name, dims]) =>
      [name, { dims, data: rng.floats(dims.reduce((a, b) => a * b, 1), 0, 1) }]));
    let out;
    try {
      out = await session.run(feeds);
    } catch (e) {
      // The only acceptable run-time refusal is a named model problem.
      expect(e, `${c.model} ${c.what}: run() threw ${String(e)}`).toBeInstanceOf(ModelError);
      expect((e as Error).message.length).toBeGreaterThan(0);
      return 'refused at run';
    }
    const finite = Object.values(out).every((t) => t.data.every(Number.isFinite));
    if (finite) return 'ran';
    const ref = await ortRun(c.bytes, feeds, { graphOptimizationLevel: 'disabled' }).catch(() => undefined);
    const refFinite = ref ? Object.values(ref).every((t) => t.data.every(Number.isFinite)) : false;
    expect(refFinite, `${c.model} ${c.what}: non-finite outputs where onnxruntime's are finite`).toBe(false);
    return 'non-finite (onnxruntime agrees)';
  } finally {
    await session.dispose();
  }
}

describe.skipIf(!hasAssets)('fuzzed asset models (issue 12)', () => {
  it('truncations and bit flips: ModelError with a message, or a run that onnxruntime agrees with', async () => {
    const rng = testRng();
    const sources = MODELS.map((m) => [m, readAsset(`models/${m}`)] as const);
    const t0 = performance.now();
    const tally = new Map<string, number>();
    for (let k = 0; performance.now() - t0 < BUDGET_MS || k < 2 * MODELS.length; k++) {
      const [model, src] = sources[k % MODELS.length];
      const c = mutate(rng, model, src, Math.floor(k / MODELS.length), model.startsWith('resnet'));
      const started = performance.now();
      const result = await check(c, rng);
      console.log(`fuzz ${k}: ${model} ${c.what} -> ${result} (${(performance.now() - started).toFixed(0)} ms)`);
      const kind = result.startsWith('refused:') ? 'refused' : result;
      tally.set(kind, (tally.get(kind) ?? 0) + 1);
    }
    console.log(`fuzz: ${[...tally].map(([r, n]) => `${n} ${r}`).join(', ')} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }, 240_000);
});
