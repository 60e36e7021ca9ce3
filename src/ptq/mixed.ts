/**
 * Mixed-precision search: which layers may take int4 weights so that the model output stays within an accuracy
 * budget, at the smallest weight size.
 *
 * Noise model: with only layer i at b bits the output noise power relative to the signal is
 * n_i(b) = 10^(-SQNR_i(b) / 10); noise of independent layers adds. Starting from all int8, moving layer i to int4
 * adds about n_i(4) - n_i(8) and saves (bytes8_i - bytes4_i). Layers are taken greedily in order of added noise
 * per byte saved, and the longest prefix whose *measured* output SQNR stays within the budget is found by
 * bisection (the prediction only orders the candidates; the budget is checked on real runs).
 *
 * Budget: `target`, an absolute floor on the measured score (accuracy in points on a held-out labeled slice, or
 * output SQNR in dB against FP32: quantize.ts decides which), or, older, `budgetDb` below all-int8. Or a size
 * budget (`size`): the shortest prefix of the same order whose weights fit in `size.limit` bytes, measured at
 * all-int8 and at the result only, so the user learns what that size costs (`target`, if also given, is then
 * checked, not searched: `met`).
 * First and last layers stay int8 unless `quantizeEnds` is set (they are small and usually the most sensitive).
 */
import type { LayerSensitivity } from './sensitivity.ts';

export interface MixedSearchOptions {
  /** The measured score a configuration must reach (higher is better). */
  target?: number;
  /** Or: the allowed drop of the score below all-int8's. One of target / budgetDb is required. */
  budgetDb?: number;
  quantizeEnds?: boolean;
  /** Measured score (output SQNR in dB, or accuracy) of the configuration with exactly these layers at int4. */
  measure: (int4: Set<string>) => Promise<number>;
  /** Size budget: the fewest candidates whose configuration's weight bytes (`bytes`) are at most `limit`. */
  size?: { limit: number; bytes: (int4: Set<string>) => number };
  onStep?: (int4: number, score: number) => void;
}

export interface MixedResult {
  int4: Set<string>;
  /** Measured score of the result and of all-int8 (the field names predate accuracy scores). */
  sqnrDb: number;
  baselineDb: number;
  /** The floor the result had to reach. */
  target: number;
  /** Candidate order (most profitable first) and the measurements made. */
  order: string[];
  trials: { int4: number; sqnrDb: number }[];
  /** Whether the result reaches `target` (always, unless a size budget forced the layer count). */
  met: boolean;
}

/** Weight bytes of a layer at b bits (codes plus one f32 scale per output channel is ignored: equal for both). */
const codeBytes = (params: number, bits: number): number => Math.ceil((params * bits) / 8);

export function candidateOrder(layers: LayerSensitivity[], quantizeEnds = false): string[] {
  const pool = quantizeEnds ? layers : layers.slice(1, -1);
  const noise = (db: number): number => (Number.isFinite(db) ? 10 ** (-db / 10) : 0);
  const cost = (l: LayerSensitivity): number =>
    Math.max(0, noise(l.sqnr4) - noise(l.sqnr8)) / Math.max(1, codeBytes(l.params, 8) - codeBytes(l.params, 4));
  return [...pool].sort((a, b) => cost(a) - cost(b)).map((l) => l.name);
}

export async function searchMixed(layers: LayerSensitivity[], opts: MixedSearchOptions): Promise<MixedResult> {
  const order = candidateOrder(layers, opts.quantizeEnds);
  const trials: { int4: number; sqnrDb: number }[] = [];
  const cache = new Map<number, number>();
  const at = async (k: number): Promise<number> => {
    let v = cache.get(k);
    if (v === undefined) {
      v = await opts.measure(new Set(order.slice(0, k)));
      cache.set(k, v);
      trials.push({ int4: k, sqnrDb: v });
      opts.onStep?.(k, v);
    }
    return v;
  };
  const baselineDb = await at(0);
  if (opts.size) return sizeBudget(order, opts.size, at, baselineDb, opts.target ?? -Infinity, trials);
  if (opts.target === undefined && opts.budgetDb === undefined) throw new Error('searchMixed: give target, budgetDb or size');
  const target = opts.target ?? baselineDb - opts.budgetDb!;
  // Largest k with at(k) >= target, assuming the SQNR falls as k grows; bisection over [0, order.length].
  let lo = 0;
  let hi = baselineDb >= target ? order.length : 0; // all-int8 already misses the target: nothing can move
  if (hi > 0 && (await at(hi)) >= target) lo = hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((await at(mid)) >= target) lo = mid;
    else hi = mid;
  }
  const score = await at(lo);
  return { int4: new Set(order.slice(0, lo)), sqnrDb: score, baselineDb, target, order, trials, met: score >= target };
}

/** The shortest prefix of `order` that fits the size budget (bytes fall as the prefix grows), then measured once. */
async function sizeBudget(order: string[], size: NonNullable<MixedSearchOptions['size']>, at: (k: number) => Promise<number>,
  baselineDb: number, target: number, trials: MixedResult['trials']): Promise<MixedResult> {
  const fits = (k: number): boolean => size.bytes(new Set(order.slice(0, k))) <= size.limit;
  if (!fits(order.length)) {
    throw new Error(`mixed: with all ${order.length} candidate layers at int4 the weights take ${size.bytes(new Set(order))} bytes, ` +
      `more than the size budget of ${Math.floor(size.limit)} bytes (first and last layers and float-fallback layers are not candidates)`);
  }
  let lo = -1; // lo does not fit (or is before 0), hi fits
  let hi = order.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  const score = await at(hi);
  return { int4: new Set(order.slice(0, hi)), sqnrDb: score, baselineDb, target, order, trials, met: score >= target };
}
