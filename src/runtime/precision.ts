/**
 * Per-layer precision configuration: a JSON document mapping node names or glob patterns to a precision.
 *
 * {
 *   "default": { "weights": "int8", "activations": "int8", "granularity": "per-channel" },
 *   "layers": { "stem.conv": { "weights": "fp32", "activations": "fp32" }, "head.*": { "weights": "int8" } }
 * }
 */
export type WeightPrecision = 'fp32' | 'fp16' | 'int8' | 'int4';
export type ActivationPrecision = 'fp32' | 'fp16' | 'int8';
export type Granularity = 'per-channel' | 'per-tensor' | { group: number };

export interface LayerPrecision {
  weights: WeightPrecision;
  activations: ActivationPrecision;
  granularity?: Granularity;
}

export interface PrecisionConfig {
  default: LayerPrecision;
  /** Node name or glob pattern (`*` any run of characters, `?` one, `[...]` a class) -> precision. First match in insertion order wins; exact names beat patterns. */
  layers?: Record<string, Partial<LayerPrecision>>;
}

const FP32: LayerPrecision = { weights: 'fp32', activations: 'fp32', granularity: 'per-channel' };

function globToRegExp(glob: string): RegExp {
  // `*`, `?` and `[...]` character classes, as in shell globs.
  const esc = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${esc}$`);
}

/** Whether a config entry (a node name or glob pattern) addresses `node`. */
export function layerMatches(entry: string, node: string): boolean {
  return entry === node || globToRegExp(entry).test(node);
}

/** The precision of one node under `config` (fp32 when there is no config). */
export function layerPrecision(config: PrecisionConfig | undefined, node: string): LayerPrecision {
  if (!config) return FP32;
  const base = { ...FP32, ...config.default };
  const layers = config.layers ?? {};
  if (layers[node]) return { ...base, ...layers[node] };
  for (const [pattern, p] of Object.entries(layers)) if (globToRegExp(pattern).test(node)) return { ...base, ...p };
  return base;
}

const W = ['fp32', 'fp16', 'int8', 'int4'];
const A = ['fp32', 'fp16', 'int8'];

/** Validates a parsed JSON config; errors name the offending entry. */
export function parsePrecisionConfig(json: unknown): PrecisionConfig {
  const check = (where: string, p: Partial<LayerPrecision>) => {
    if (p.weights !== undefined && !W.includes(p.weights)) throw new Error(`precision config ${where}: weights must be one of ${W.join('|')}, got ${JSON.stringify(p.weights)}`);
    if (p.activations !== undefined && !A.includes(p.activations)) throw new Error(`precision config ${where}: activations must be one of ${A.join('|')}, got ${JSON.stringify(p.activations)}`);
    const g = p.granularity;
    if (g !== undefined && g !== 'per-channel' && g !== 'per-tensor' && !(typeof g === 'object' && Number.isInteger(g.group) && g.group > 0 && g.group % 8 === 0)) {
      throw new Error(`precision config ${where}: granularity must be per-channel, per-tensor or { group: N } with N a multiple of 8`);
    }
  };
  if (!json || typeof json !== 'object') throw new Error('precision config: expected a JSON object');
  const c = json as PrecisionConfig;
  if (!c.default) throw new Error('precision config: missing "default"');
  check('default', c.default);
  for (const [k, v] of Object.entries(c.layers ?? {})) check(`layer "${k}"`, v);
  return { default: { ...FP32, ...c.default }, layers: c.layers };
}

/** The config for a uniform precision name. */
export function uniformConfig(p: 'fp32' | 'fp16' | 'int8' | 'int4'): PrecisionConfig {
  switch (p) {
    case 'fp32': return { default: FP32 };
    case 'fp16': return { default: { weights: 'fp16', activations: 'fp32' } };
    case 'int8': return { default: { weights: 'int8', activations: 'int8', granularity: 'per-channel' } };
    case 'int4': return { default: { weights: 'int4', activations: 'int8', granularity: 'per-channel' } };
  }
}

/**
 * `precision: 'mixed'` on a float model without a config: weight-only int4 in the middle of the network, int8 weights
 * for the first layer and for the layers that write graph outputs (the most sensitive ones in published sensitivity
 * studies), float activations throughout (no calibration data is needed). A measured per-layer choice comes from
 * `quantgpu quantize --weights mixed`, whose QDQ model carries it.
 */
export function heuristicMixedConfig(graph: { nodes: { name: string; opType: string; inputs: string[]; outputs: string[] }[]; outputs: { name: string }[] }): PrecisionConfig {
  const layers = graph.nodes.filter((n) => n.opType === 'Conv' || n.opType === 'Gemm' || n.opType === 'MatMul');
  const sensitive: Record<string, Partial<LayerPrecision>> = {};
  if (layers.length) sensitive[layers[0].name] = { weights: 'int8' };
  // Layers from which a graph output is reachable without passing through another layer.
  const producer = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const isLayer = new Set(layers.map((n) => n.name));
  const stack = graph.outputs.map((o) => o.name);
  const seen = new Set<string>();
  while (stack.length) {
    const v = stack.pop()!;
    const n = producer.get(v);
    if (!n || seen.has(n.name)) continue;
    seen.add(n.name);
    if (isLayer.has(n.name)) sensitive[n.name] = { weights: 'int8' };
    else stack.push(...n.inputs);
  }
  return { default: { weights: 'int4', activations: 'fp32', granularity: 'per-channel' }, layers: sensitive };
}
