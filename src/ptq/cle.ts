/**
 * Cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization Through Weight Equalization and Bias
 * Correction", sec. 4.1). For Conv1 -> f -> Conv2 with f positive-homogeneous (ReLU, identity:
 * f(x / s) = f(x) / s for s > 0), scaling output channel i of Conv1 by 1/s_i and input channel i of Conv2 by s_i
 * leaves the function unchanged. With r1_i = max |W1[i, ...]| and r2_i = max |W2[:, i, ...]|,
 *
 *   s_i = sqrt(r1_i * r2_i) / r2_i      gives  r1_i / s_i = r2_i * s_i = sqrt(r1_i * r2_i),
 *
 * which equalizes the per-channel ranges of both weights, so that per-tensor (and coarser per-channel) grids
 * fit them better. Conv2 may be depthwise (group = channels: input channel i feeds output i only); Conv1 may be
 * grouped or depthwise as well (its output channel i is one row of W1 either way).
 * SiLU (x * sigmoid(x)) is not positive-homogeneous: with `silu: true` pairs joined by SiLU are equalized too,
 * which changes the float function; whether that helps must be measured (docs/ptq.md reports it for YOLOX-nano).
 */
import type { Graph, Node } from '../runtime/ir.ts';
import { attrInt } from '../runtime/ir.ts';
import { consumersOf, floatInit, producersOf } from './graph.ts';

export interface ClePair {
  conv1: Node;
  conv2: Node;
  act: 'relu' | 'identity' | 'silu';
}

/** The Conv -> (Relu | identity | SiLU) -> Conv pairs whose middle tensor has no other reader. */
export function findClePairs(g: Graph, silu = false): ClePair[] {
  const cons = consumersOf(g);
  const prod = producersOf(g);
  const outputs = new Set(g.outputs.map((o) => o.name));
  const only = (t: string): Node | undefined => {
    const c = cons.get(t) ?? [];
    return c.length === 1 && !outputs.has(t) ? c[0] : undefined;
  };
  const isConv = (n: Node | undefined): boolean => !!n && n.opType === 'Conv' && g.initializers.has(n.inputs[1]);
  const pairs: ClePair[] = [];
  for (const conv2 of g.nodes.filter((n) => isConv(n))) {
    const mid = prod.get(conv2.inputs[0]);
    if (!mid || only(conv2.inputs[0]) !== conv2) continue;
    if (isConv(mid)) {
      pairs.push({ conv1: mid, conv2, act: 'identity' });
      continue;
    }
    if (mid.opType === 'Relu') {
      const c1 = prod.get(mid.inputs[0]);
      if (c1 && isConv(c1) && only(mid.inputs[0]) === mid) pairs.push({ conv1: c1, conv2, act: 'relu' });
    } else if (silu && mid.opType === 'Mul') {
      // SiLU: Mul(x, Sigmoid(x)), x read by exactly these two nodes.
      const [a, b] = mid.inputs;
      const sig = [prod.get(a), prod.get(b)].find((p) => p?.opType === 'Sigmoid');
      const x = sig?.inputs[0];
      const c1 = x ? prod.get(x) : undefined;
      if (sig && c1 && isConv(c1) && (a === x || b === x) && (cons.get(x!) ?? []).length === 2) pairs.push({ conv1: c1, conv2, act: 'silu' });
    }
  }
  return pairs;
}

/** Scales one pair in place (new initializers, so shared ones stay intact). Returns the scale per channel. */
export function equalizePair(g: Graph, p: ClePair): Float64Array | undefined {
  const w1t = g.initializers.get(p.conv1.inputs[1])!;
  const w2t = g.initializers.get(p.conv2.inputs[1])!;
  const c = w1t.dims[0];
  const group2 = attrInt(p.conv2, 'group', 1);
  const depthwise2 = group2 > 1 && group2 === c && w2t.dims[1] === 1;
  if (!depthwise2 && (group2 !== 1 || w2t.dims[1] !== c)) return undefined;
  const w1 = floatInit(g, p.conv1.inputs[1]).slice();
  const w2 = floatInit(g, p.conv2.inputs[1]).slice();
  const k1 = w1.length / c;
  const k2 = w2t.dims.slice(2).reduce((a, b) => a * b, 1);
  const r1 = new Float64Array(c);
  const r2 = new Float64Array(c);
  for (let i = 0; i < w1.length; i++) r1[Math.floor(i / k1)] = Math.max(r1[Math.floor(i / k1)], Math.abs(w1[i]));
  // Input channel of element j of W2: depthwise [C, 1, kh, kw] -> j / k2; dense [O, C, kh, kw] -> (j / k2) % C.
  const inCh = (j: number): number => (depthwise2 ? Math.floor(j / k2) : Math.floor(j / k2) % c);
  for (let j = 0; j < w2.length; j++) r2[inCh(j)] = Math.max(r2[inCh(j)], Math.abs(w2[j]));
  const s = Float64Array.from(r1, (a, i) => (a > 0 && r2[i] > 0 ? Math.sqrt(a * r2[i]) / r2[i] : 1));
  for (let i = 0; i < w1.length; i++) w1[i] /= s[Math.floor(i / k1)];
  for (let j = 0; j < w2.length; j++) w2[j] *= s[inCh(j)];
  const put = (node: Node, idx: number, data: Float32Array, dims: number[]): void => {
    const name = `${node.inputs[idx]}_cle`;
    let k = 0;
    let fresh = name;
    while (g.initializers.has(fresh)) fresh = `${name}${++k}`;
    g.initializers.set(fresh, { dtype: 'float32', dims: [...dims], data });
    node.inputs[idx] = fresh;
  };
  put(p.conv1, 1, w1, w1t.dims);
  put(p.conv2, 1, w2, w2t.dims);
  if (p.conv1.inputs[2]) {
    const b = floatInit(g, p.conv1.inputs[2]);
    put(p.conv1, 2, Float32Array.from(b, (v, i) => v / s[i]), [c]);
  }
  return s;
}

/** Equalizes every pair, `iterations` sweeps (chains of pairs converge over sweeps). Returns the pairs touched. */
export function crossLayerEqualize(g: Graph, opts: { silu?: boolean; iterations?: number } = {}): ClePair[] {
  const pairs = findClePairs(g, opts.silu ?? false);
  const done = new Set<ClePair>();
  for (let it = 0; it < (opts.iterations ?? 4); it++) for (const p of pairs) if (equalizePair(g, p)) done.add(p);
  // Drop the weights the rescaling replaced.
  const read = new Set(g.nodes.flatMap((n) => n.inputs));
  for (const k of [...g.initializers.keys()]) if (!read.has(k)) g.initializers.delete(k);
  return [...done];
}
