/**
 * Clip / Relu applied to the *integer codes* a QuantizeLinear produced (PyTorch's fbgemm QAT export writes
 * `QuantizeLinear(uint8) -> Clip(0, 127) -> DequantizeLinear` for reduce_range activations) becomes a float Clip
 * before the QuantizeLinear:
 *
 *     Clip_codes(Q(x), lo, hi)  ==  Q(Clip_float(x, DQ(lo), DQ(hi)))        exactly, for every x
 *
 * because Q is monotonic, so Q(clip(x, a, b)) = clamp(Q(x), Q(a), Q(b)), and Q(DQ(k)) = k for every code k (DQ(k)
 * is k * scale to within 2^-24 relative, far from a rounding boundary). The float Clip then fuses like any other:
 * into the producing conv's clamp bounds, or into the residual table. Without this pass the Clip would be read
 * as a clip of real values (a silent wrong answer: codes 0..127 taken as reals 0..127).
 */
import { type Graph, ModelError, type Node, type TensorData } from '../ir.ts';
import { consumersOf, producerOf } from '../fuse/graph-util.ts';

const INT_TYPES = new Set(['int8', 'uint8', 'int16', 'uint16', 'int4', 'uint4']);

/** Mutates the graph; returns how many Clip/Relu nodes were moved before their QuantizeLinear. */
export function foldQuantizedClips(graph: Graph): number {
  let count = 0;
  for (const clip of [...graph.nodes]) {
    if (clip.domain !== '' || (clip.opType !== 'Clip' && clip.opType !== 'Relu')) continue;
    const q = producerOf(graph, clip.inputs[0]);
    if (q?.opType !== 'QuantizeLinear') continue;
    const scale = graph.initializers.get(q.inputs[1]);
    const zp = q.inputs[2] ? graph.initializers.get(q.inputs[2]) : undefined;
    const where = `${clip.opType} '${clip.name}' on the output of QuantizeLinear '${q.name}'`;
    if (!scale || scale.data.length !== 1 || (q.inputs[2] && (!zp || zp.data.length !== 1))) {
      throw new ModelError(`${where}: only per-tensor constant scale / zero point are supported`);
    }
    if (zp && !INT_TYPES.has(zp.dtype)) continue; // float8 and the like: not ours
    const s = Math.fround(Number(scale.data[0]));
    const z = zp ? Number(zp.data[0]) : 0;
    const bound = (i: number, dflt: number): number => {
      const name = clip.inputs[i];
      if (!name) return dflt;
      const t = graph.initializers.get(name);
      if (!t || t.data.length !== 1) throw new ModelError(`${where}: bound ${i} must be a constant scalar`);
      return Math.fround((Number(t.data[0]) - z) * s);
    };
    const lo = clip.opType === 'Relu' ? Math.fround((0 - z) * s) : bound(1, -Infinity);
    const hi = clip.opType === 'Relu' ? Infinity : bound(2, Infinity);
    const real = `${clip.outputs[0]}::real`;
    const inputs = [q.inputs[0], addScalar(graph, `${clip.name}::min`, lo), addScalar(graph, `${clip.name}::max`, hi)];
    const fclip: Node = { name: `${clip.name}::float`, opType: 'Clip', domain: '', inputs, outputs: [real], attrs: {} };
    const q2: Node = { ...q, name: `${q.name}::${clip.name}`, inputs: [real, ...q.inputs.slice(1)], outputs: [clip.outputs[0]] };
    const at = graph.nodes.indexOf(clip);
    graph.nodes.splice(at, 1, fclip, q2);
    const qOut = q.outputs[0];
    if (!consumersOf(graph, qOut).length && !graph.outputs.some((o) => o.name === qOut)) {
      graph.nodes = graph.nodes.filter((n) => n !== q);
    }
    graph.valueInfo.delete(clip.outputs[0]);
    count++;
  }
  return count;
}

function addScalar(graph: Graph, name: string, v: number): string {
  if (!Number.isFinite(v)) return '';
  const t: TensorData = { dtype: 'float32', dims: [], data: Float32Array.of(v) };
  graph.initializers.set(name, t);
  return name;
}
