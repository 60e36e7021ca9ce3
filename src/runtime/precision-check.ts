/**
 * A per-layer precision config whose entry matches no layer of the model is a mistake (a typo, a config written for
 * another model): the entry would be ignored and the model would run at the default precision without a word.
 * This check runs before any GPU work and names the nearest layer names.
 */
import { ModelError } from './ir.ts';
import { layerMatches, type PrecisionConfig } from './precision.ts';

/** Layers a config can address: the ops whose precision it sets. */
const LAYER_OPS = new Set(['Conv', 'Gemm', 'MatMul', 'ConvTranspose']);

/** An entry of `config.layers` that matches no layer, with up to three nearest layer names. */
export interface UnmatchedEntry {
  entry: string;
  nearest: string[];
}

/** Edit distance (insertions, deletions, substitutions), for "did you mean". */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The entries of `config.layers` that match none of `nodes` (exactly or as a glob), each with its nearest layer names. */
export function unmatchedLayers(config: PrecisionConfig, nodes: { name: string; opType: string }[]): UnmatchedEntry[] {
  const layers = nodes.filter((n) => LAYER_OPS.has(n.opType)).map((n) => n.name);
  const all = nodes.map((n) => n.name);
  return Object.keys(config.layers ?? {})
    .filter((entry) => !all.some((name) => layerMatches(entry, name)))
    .map((entry) => ({
      entry,
      nearest: [...(layers.length ? layers : all)]
        .map((name) => [name, editDistance(entry, name)] as const)
        .sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]))
        .slice(0, 3)
        .map(([name]) => name),
    }));
}

/** Throws a `ModelError` listing every config entry that matches no layer of `graph`, with the nearest names. */
export function checkConfigLayers(config: PrecisionConfig, graph: { nodes: { name: string; opType: string }[] }): void {
  const bad = unmatchedLayers(config, graph.nodes);
  if (!bad.length) return;
  const lines = bad.map((b) => `"${b.entry}" matches no layer${b.nearest.length ? ` (nearest: ${b.nearest.join(', ')})` : ''}`);
  throw new ModelError(`precision config: ${bad.length === 1 ? lines[0] : `${bad.length} entries match no layer:\n  ${lines.join('\n  ')}`}`);
}
