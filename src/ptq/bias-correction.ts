/**
 * Empirical bias correction (Nagel et al. 2019, "Data-Free Quantization", sec. 4.2, with data): quantizing W
 * shifts the expected output of every output channel by (W_q - W) . E[x]; subtracting that shift from the bias
 * removes the systematic part of the error.
 *
 *   Conv [O, I/g, kh, kw]:  shift[o] = sum_{i, u, v} (W_q - W)[o, i, u, v] * E[x_{c(o, i)}]
 *                           c(o, i) = group(o) * I/g + i   (depthwise: c = o)
 *   Gemm / MatMul:          shift[n] = sum_k (W_q - W)[n, k] * E[x_k]
 *
 * E[x] is the per-input-channel mean over calibration data. Padding is ignored: at the borders some taps read
 * zeros instead of x, so the shift is slightly overestimated there (by at most the fraction of padded taps).
 */
import type { Graph, Node } from '../runtime/ir.ts';
import { attrInt } from '../runtime/ir.ts';
import { floatInit, freshNamer, weightSlot } from './graph.ts';
import type { QuantizedWeight } from './weights.ts';

/** The expected output shift per output channel caused by quantizing `n`'s weight. */
export function expectedShift(g: Graph, n: Node, q: QuantizedWeight, inputMean: ArrayLike<number>): Float64Array {
  const w = floatInit(g, n.inputs[1]);
  const dims = q.dims;
  if (n.opType === 'Conv') {
    const [o, ipg] = dims;
    const k = dims.slice(2).reduce((a, b) => a * b, 1);
    const group = attrInt(n, 'group', 1);
    const opg = o / group;
    const shift = new Float64Array(o);
    for (let oc = 0; oc < o; oc++) {
      const g0 = Math.floor(oc / opg) * ipg;
      let s = 0;
      for (let i = 0; i < ipg; i++) {
        const m = inputMean[g0 + i] ?? 0;
        for (let t = 0; t < k; t++) {
          const idx = (oc * ipg + i) * k + t;
          s += (q.dequantized[idx] - w[idx]) * m;
        }
      }
      shift[oc] = s;
    }
    return shift;
  }
  // [N, K] with axis 0 (Gemm transB) or [K, N] with axis 1.
  const rows = dims[0];
  const cols = dims[1];
  const outC = q.axis === 0 ? rows : cols;
  const shift = new Float64Array(outC);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = q.dequantized[r * cols + c] - w[r * cols + c];
      if (q.axis === 0) shift[r] += d * (inputMean[c] ?? 0);
      else shift[c] += d * (inputMean[r] ?? 0);
    }
  }
  return shift;
}

/**
 * Subtracts the expected shift from the node's bias, in place (a zero bias is added when the node has none).
 * Gemm only when its bias is a per-output vector and alpha = beta = 1.
 */
export function correctBias(g: Graph, n: Node, q: QuantizedWeight, inputMean: ArrayLike<number>): boolean {
  if (!weightSlot(g, n)) return false;
  if (n.opType === 'MatMul') return false;
  if (n.opType === 'Gemm' && (attrInt(n, 'transA', 0) || n.attrs.alpha?.value !== undefined && n.attrs.alpha.value !== 1 ||
    n.attrs.beta?.value !== undefined && n.attrs.beta.value !== 1)) return false;
  const shift = q.shift ?? expectedShift(g, n, q, inputMean);
  let biasName = n.inputs[2];
  if (!biasName) {
    biasName = freshNamer(g)(`${n.name}_bias`);
    g.initializers.set(biasName, { dtype: 'float32', dims: [shift.length], data: new Float32Array(shift.length) });
    n.inputs[2] = biasName;
  }
  const b = g.initializers.get(biasName);
  if (!b || !(b.data instanceof Float32Array) || b.data.length !== shift.length) return false;
  // A new initializer: the old one may be shared by several nodes.
  const data = Float32Array.from(b.data, (v, i) => v - shift[i]);
  const fresh = freshNamer(g)(`${biasName}_corrected`);
  g.initializers.set(fresh, { ...b, dims: [...b.dims], data });
  n.inputs[2] = fresh;
  return true;
}
