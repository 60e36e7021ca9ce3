/**
 * Cached output-SQNR measurements of partly quantized models: only the part of the model downstream of what
 * quantization changed is run again; everything upstream comes from one float run, cached.
 *
 *   changed = every QuantizeLinear / DequantizeLinear node of the QDQ graph (activation pairs, weight DQs)
 *   dirty   = changed nodes and every node reading a dirty value (graph order is topological)
 *   suffix  = dirty nodes; its inputs are the non-constant values they read that no dirty node produces
 *             (float values, identical in the float model: nothing upstream of them changed)
 *
 * The per-tensor calibrator choice (select.ts) quantizes one tensor at a time, so on average half of the network
 * runs per measurement; the cache holds each boundary value for the search images once. Graph outputs that are
 * not dirty equal the float reference (zero noise) and are not recomputed.
 */
import type { Graph, Node } from '../runtime/ir.ts';
import type { GraphRunner } from './sensitivity.ts';
import type { Tensors } from './source.ts';

/** The dirty part of a QDQ graph (see the module comment): a graph whose inputs are its boundary values. */
export function suffixGraph(q: Graph, dimsOf: (value: string) => number[] = () => []): { graph: Graph; inputs: string[]; outputs: string[] } {
  const dirty = new Set<string>();
  const nodes: Node[] = [];
  for (const n of q.nodes) {
    if (n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear' || n.inputs.some((i) => dirty.has(i))) {
      nodes.push(n);
      n.outputs.forEach((o) => dirty.add(o));
    }
  }
  const inputs = [...new Set(nodes.flatMap((n) => n.inputs).filter((i) => i && !dirty.has(i) && !q.initializers.has(i)))];
  const outputs = q.outputs.filter((o) => dirty.has(o.name));
  const used = new Set(nodes.flatMap((n) => n.inputs));
  const graph: Graph = {
    ...q, nodes,
    initializers: new Map([...q.initializers].filter(([k]) => used.has(k))),
    // Symbolic batch (the last search batch may be smaller), the other dims as cached.
    inputs: inputs.map((name) => ({ name, dtype: 'float32', shape: ['N', ...dimsOf(name).slice(1)] })),
    outputs,
  };
  return { graph, inputs, outputs: outputs.map((o) => o.name) };
}

/** Output-SQNR meter over fixed batches with the float values cached. */
export class SuffixMeter {
  private readonly cache: Tensors[] = [];
  private constructor(private readonly run: GraphRunner, private readonly float: Graph, private readonly batches: Tensors[], private readonly reference: Tensors[]) {}

  /** Runs the float model once per batch for the reference outputs. */
  static async create(run: GraphRunner, float: Graph, batches: Tensors[]): Promise<SuffixMeter> {
    const src = await run(float);
    try {
      const names = float.outputs.map((o) => o.name);
      const reference: Tensors[] = [];
      for (const b of batches) reference.push(await src.run(b, names));
      return new SuffixMeter(run, float, batches, reference);
    } finally {
      await src.dispose();
    }
  }

  /** Makes sure `names` are in the float-value cache (one float run per batch for the missing ones). */
  private async fill(names: string[]): Promise<void> {
    const inputs = new Set(this.float.inputs.map((i) => i.name));
    const missing = names.filter((n) => !inputs.has(n) && !(n in (this.cache[0] ?? {})));
    if (!missing.length && this.cache.length) return;
    const src = await this.run(this.float);
    try {
      for (const [b, feeds] of this.batches.entries()) {
        const got = missing.length ? await src.run(feeds, missing) : {};
        this.cache[b] = { ...(this.cache[b] ?? {}), ...feeds, ...got };
      }
    } finally {
      await src.dispose();
    }
  }

  /** Output SQNR (dB) of the QDQ graph `q` against the float model: total signal over total noise. */
  async sqnr(q: Graph): Promise<number> {
    await this.fill(suffixGraph(q).inputs);
    const s = suffixGraph(q, (n) => this.cache[0][n].dims);
    let signal = 0;
    let noise = 0;
    const src = s.outputs.length ? await this.run(s.graph) : undefined;
    try {
      for (let b = 0; b < this.batches.length; b++) {
        const feeds = Object.fromEntries(s.inputs.map((n) => [n, this.cache[b][n]]));
        const out = src ? await src.run(feeds, s.outputs) : {};
        for (const [name, r] of Object.entries(this.reference[b])) {
          const t = out[name]?.data ?? r.data;
          for (let i = 0; i < r.data.length; i++) {
            signal += r.data[i] * r.data[i];
            noise += (r.data[i] - t[i]) ** 2;
          }
        }
      }
    } finally {
      await src?.dispose();
    }
    return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
  }
}
