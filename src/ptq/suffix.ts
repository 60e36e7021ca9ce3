/**
 * Cached output-SQNR measurements of partly quantized models: only the part of the model downstream of what
 * quantization changed is run again; everything upstream comes from one float run, cached.
 *
 *   changed = every QuantizeLinear / DequantizeLinear node of the QDQ graph (activation pairs, weight DQs); with a
 *             base graph (a partly quantized model, sequential ranges: ranges.ts), every node the base lacks
 *             or has with other inputs
 *   dirty   = changed nodes and every node reading a dirty value (graph order is topological)
 *   suffix  = dirty nodes, plus constant nodes (initializer inputs only) they read; its inputs are the other values
 *             they read that no suffix node produces (float values, identical in the float model -- or the base --:
 *             nothing upstream of them changed)
 *
 * The per-tensor calibrator choice (select.ts) quantizes one tensor at a time, so on average half of the network
 * runs per measurement; the cache holds each boundary value for the search images once. Graph outputs that are
 * not dirty equal the float reference (zero noise) and are not recomputed.
 *
 * Batched (`sqnrMany`): making an onnxruntime session costs more than running a small suffix on 32 images, so
 * many suffixes go into one graph (values, nodes and new initializers renamed per copy; the float weights shared),
 * one session and one run per batch for up to MAX_NODES nodes of copies.
 */
import type { Graph, Node } from '../runtime/ir.ts';
import type { GraphRunner } from './sensitivity.ts';
import type { Tensors } from './source.ts';

const isQdqNode = (n: Node): boolean => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear';

/**
 * What changed against a base graph: nodes it does not have by name, or has with other inputs (a consumer that now
 * reads a DequantizeLinear output). Graphs built from the same float graph keep node names.
 */
export function changedFrom(base: Graph): (n: Node) => boolean {
  const inputsOf = new Map(base.nodes.map((n) => [n.name, n.inputs.join('\n')]));
  return (n) => inputsOf.get(n.name) !== n.inputs.join('\n');
}

/** The dirty part of a QDQ graph (see the module comment): a graph whose inputs are its boundary values. */
export function suffixGraph(q: Graph, dimsOf: (value: string) => number[] = () => [], changed: (n: Node) => boolean = isQdqNode): { graph: Graph; inputs: string[]; outputs: string[] } {
  const dirty = new Set<string>();
  const chosen = new Set<Node>();
  for (const n of q.nodes) {
    if (changed(n) || n.inputs.some((i) => dirty.has(i))) {
      chosen.add(n);
      n.outputs.forEach((o) => dirty.add(o));
    }
  }
  // A constant computation read by the suffix (a weight's DequantizeLinear that did not change) is recomputed in it,
  // not fed as a boundary value: boundary values get a symbolic batch dimension, which a weight does not have.
  const constant = (n: Node): boolean => n.inputs.every((i) => !i || q.initializers.has(i));
  const read = new Set([...chosen].flatMap((n) => n.inputs));
  for (const n of q.nodes) if (!chosen.has(n) && constant(n) && n.outputs.some((o) => read.has(o))) chosen.add(n);
  const nodes = q.nodes.filter((n) => chosen.has(n));
  const made = new Set(nodes.flatMap((n) => n.outputs));
  const inputs = [...new Set(nodes.flatMap((n) => n.inputs).filter((i) => i && !made.has(i) && !q.initializers.has(i)))];
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

/**
 * How output noise is weighed: 'total' (sum of squared errors over sum of squares, all outputs) or 'fields' (each
 * index of each output's last axis its own SQNR, their noise-to-signal ratios averaged). YOLOX-nano's one output
 * [1, 3549, 85] holds 4 box coordinates in pixels next to objectness and 80 class scores in [0, 1]: the total is
 * the boxes' SQNR, blind to the scores that rank detections; per field every one of the 85 counts the same.
 */
export type SqnrMode = 'total' | 'fields';

/** Accumulates an output SQNR over batches (see SqnrMode). */
export class SqnrAccumulator {
  private signal = 0;
  private noise = 0;
  private readonly perField = new Map<string, { signal: Float64Array; noise: Float64Array }>();
  constructor(private readonly mode: SqnrMode = 'total') {}

  add(name: string, ref: { dims: number[]; data: Float32Array }, got: ArrayLike<number>): void {
    const r = ref.data;
    if (this.mode === 'total') {
      for (let i = 0; i < r.length; i++) {
        this.signal += r[i] * r[i];
        this.noise += (r[i] - got[i]) ** 2;
      }
      return;
    }
    const f = ref.dims.at(-1) ?? 1;
    let acc = this.perField.get(name);
    if (!acc) this.perField.set(name, (acc = { signal: new Float64Array(f), noise: new Float64Array(f) }));
    for (let i = 0, c = 0; i < r.length; i++, c = c + 1 === f ? 0 : c + 1) {
      acc.signal[c] += r[i] * r[i];
      acc.noise[c] += (r[i] - got[i]) ** 2;
    }
  }

  db(): number {
    if (this.mode === 'total') return this.noise === 0 ? Infinity : 10 * Math.log10(this.signal / this.noise);
    let nsr = 0;
    let count = 0;
    for (const { signal, noise } of this.perField.values()) {
      for (let c = 0; c < signal.length; c++) {
        if (signal[c] === 0 && noise[c] === 0) continue;
        nsr += noise[c] / Math.max(signal[c], Number.MIN_VALUE);
        count++;
      }
    }
    return nsr === 0 ? Infinity : -10 * Math.log10(nsr / count);
  }
}

/** Float reference outputs of `g` on the batches. */
export async function referenceOutputs(run: GraphRunner, g: Graph, batches: Tensors[]): Promise<Tensors[]> {
  const src = await run(g);
  try {
    const names = g.outputs.map((o) => o.name);
    const out: Tensors[] = [];
    for (const b of batches) out.push(await src.run(b, names));
    return out;
  } finally {
    await src.dispose();
  }
}

/** Output-SQNR meter over fixed batches with the float values cached. */
export class SuffixMeter {
  private readonly cache: Tensors[] = [];
  /** On a float base this marks exactly the Q/DQ nodes and their rewired readers; on a partly quantized one, what a graph adds. */
  private readonly changed: (n: Node) => boolean;
  private constructor(private readonly run: GraphRunner, private readonly float: Graph, private readonly batches: Tensors[], private readonly reference: Tensors[], private readonly fields: SqnrMode) {
    this.changed = changedFrom(float);
  }

  /**
   * Runs `float` once per batch for the reference outputs (or takes `reference`, the outputs of each batch). A base
   * that is itself partly quantized (`float` with Q/DQ nodes, then its reference is the float model's, given) makes
   * the meter measure what each graph changes *on top of* it: its values fill the cache.
   */
  static async create(run: GraphRunner, float: Graph, batches: Tensors[], reference?: Tensors[], mode: SqnrMode = 'total'): Promise<SuffixMeter> {
    return new SuffixMeter(run, float, batches, reference ?? await referenceOutputs(run, float, batches), mode);
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

  /**
   * Output SQNR of each QDQ graph (as `sqnr`), batched into combined graphs of at most `maxNodes` nodes.
   * `onChunk(done, total)` once the float cache is filled (done 0) and after each combined graph.
   */
  async sqnrMany(qs: Graph[], onChunk?: (done: number, total: number) => void, maxNodes = 1500): Promise<number[]> {
    const parts = qs.map((q) => suffixGraph(q, undefined, this.changed));
    await this.fill([...new Set(parts.flatMap((p) => p.inputs))]);
    onChunk?.(0, qs.length);
    const out = new Array<number>(qs.length);
    // Copies share one opset (int4 weights need 21, int8 graphs stay at theirs): chunks never mix opsets.
    const order = qs.map((_, i) => i).sort((a, b) => qs[a].opset - qs[b].opset || a - b);
    let done = 0;
    for (let start = 0; start < order.length;) {
      let end = start;
      let nodes = 0;
      const opset = qs[order[start]].opset;
      while (end < order.length && qs[order[end]].opset === opset && (end === start || nodes + parts[order[end]].graph.nodes.length <= maxNodes)) {
        nodes += parts[order[end++]].graph.nodes.length;
      }
      const ids = order.slice(start, end);
      const dbs = await this.measureCombined(ids.map((i) => qs[i]), ids.map((i) => parts[i]));
      dbs.forEach((v, i) => (out[ids[i]] = v));
      done = end;
      onChunk?.(done, qs.length);
      start = end;
    }
    return out;
  }

  /** One graph holding every suffix (copy k: its values and new initializers renamed `name#k`). */
  private async measureCombined(qs: Graph[], parts: ReturnType<typeof suffixGraph>[]): Promise<number[]> {
    const floatInits = this.float.initializers;
    const dimsOf = (n: string): number[] => this.cache[0][n].dims;
    const combined: Graph = { ...qs[0], nodes: [], initializers: new Map(), inputs: [], outputs: [], valueInfo: new Map() };
    const inputs = new Set<string>();
    const outNames: string[][] = [];
    parts.forEach((p, k) => {
      const q = qs[k];
      // A constant shared with the base (the same data) keeps its name; one the graph made itself (a corrected bias
      // of the same name) is renamed per copy.
      const keep = (v: string): boolean => !v || p.inputs.includes(v) || (floatInits.has(v) && floatInits.get(v)!.data === q.initializers.get(v)?.data);
      const rename = (v: string): string => (keep(v) ? v : `${v}#${k}`);
      for (const n of p.graph.nodes) {
        combined.nodes.push({ ...n, name: `${n.name}#${k}`, inputs: n.inputs.map(rename), outputs: n.outputs.map(rename) });
        for (const i of n.inputs) {
          if (q.initializers.has(i)) combined.initializers.set(rename(i), q.initializers.get(i)!);
          else if (i && p.inputs.includes(i)) inputs.add(i);
        }
      }
      outNames.push(p.outputs.map(rename));
      for (const o of p.graph.outputs) combined.outputs.push({ ...o, name: rename(o.name) });
    });
    combined.inputs = [...inputs].map((name) => ({ name, dtype: 'float32', shape: ['N', ...dimsOf(name).slice(1)] }));
    const acc = qs.map(() => new SqnrAccumulator(this.fields));
    const all = outNames.flat();
    const src = all.length ? await this.run(combined) : undefined;
    try {
      for (let b = 0; b < this.batches.length; b++) {
        const feeds = Object.fromEntries([...inputs].map((n) => [n, this.cache[b][n]]));
        const got = src ? await src.run(feeds, all) : {};
        parts.forEach((p, k) => {
          for (const [name, r] of Object.entries(this.reference[b])) {
            const i = p.outputs.indexOf(name);
            acc[k].add(name, r, i >= 0 ? got[outNames[k][i]].data : r.data);
          }
        });
      }
    } finally {
      await src?.dispose();
    }
    return acc.map((x) => x.db());
  }

  /** Output SQNR (dB) of the QDQ graph `q` against the float model (total, or per field: `SqnrAccumulator`). */
  async sqnr(q: Graph): Promise<number> {
    await this.fill(suffixGraph(q, undefined, this.changed).inputs);
    const s = suffixGraph(q, (n) => this.cache[0][n].dims, this.changed);
    const acc = new SqnrAccumulator(this.fields);
    const src = s.outputs.length ? await this.run(s.graph) : undefined;
    try {
      for (let b = 0; b < this.batches.length; b++) {
        const feeds = Object.fromEntries(s.inputs.map((n) => [n, this.cache[b][n]]));
        const out = src ? await src.run(feeds, s.outputs) : {};
        for (const [name, r] of Object.entries(this.reference[b])) acc.add(name, r, out[name]?.data ?? r.data);
      }
    } finally {
      await src?.dispose();
    }
    return acc.db();
  }
}
