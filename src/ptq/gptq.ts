/**
 * GPTQ (Frantar et al. 2022, "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained Transformers"):
 * learned rounding of one layer's weights that minimizes the layer's output reconstruction error
 *
 *   || X W^T - X Q^T ||^2 = sum_rows (w - q)^T H (w - q),   H = X^T X   (X: the layer's inputs, one row per output
 *                                                                        position, im2col columns for a conv)
 *
 * column by column: quantize column i of every row, then spread its rounding error over the columns not yet
 * quantized with the optimal (OBS) update. With U the upper Cholesky factor of H^-1 (H^-1 = U^T U):
 *
 *   q_i   = clamp(round(w_i / s), -qmax, qmax) * s
 *   e     = (w_i - q_i) / U[i][i]
 *   w_j  -= e * U[i][j]        for j > i
 *
 * Why GPTQ and not AdaRound: it is closed form (one Cholesky per layer, no gradient descent over thousands of
 * iterations), so a whole ResNet runs in seconds on 2 CPU cores in TypeScript; AdaRound's per-layer optimization
 * (10k Adam steps over the layer output in the paper) would take minutes per layer here.
 *
 * Scales stay those of round-to-nearest (per output channel, symmetric, zero point 0): GPTQ only chooses codes,
 * so the exported format and the runtime are unchanged. Dense row-major Float64Array matrices throughout.
 */

/** Options of gptqRound. */
export interface GptqOptions {
  /** Dampening: lambda * mean(diag H) added to the diagonal (the paper's 1 %). */
  damp?: number;
  /** Quantize columns in order of decreasing H[i][i] ("act-order"): the most active inputs first. Default true. */
  actOrder?: boolean;
}

/** Lower Cholesky factor L of a symmetric positive definite n x n matrix (A = L L^T); throws if A is not PD. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  if (a.length !== n * n) throw new Error(`cholesky: ${a.length} values for a ${n}x${n} matrix`);
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0)) throw new Error(`cholesky: matrix is not positive definite (pivot ${j} = ${d})`);
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** Inverse of a symmetric positive definite matrix through its Cholesky factor: A^-1 = L^-T L^-1. */
export function spdInverse(a: Float64Array, n: number): Float64Array {
  const l = cholesky(a, n);
  // Li = L^-1 (lower triangular), by forward substitution column by column.
  const li = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    li[c * n + c] = 1 / l[c * n + c];
    for (let i = c + 1; i < n; i++) {
      let s = 0;
      for (let k = c; k < i; k++) s += l[i * n + k] * li[k * n + c];
      li[i * n + c] = -s / l[i * n + i];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += li[k * n + i] * li[k * n + j];
      inv[i * n + j] = s;
      inv[j * n + i] = s;
    }
  }
  return inv;
}

/** Upper factor U of A = U^T U (the transpose of the lower Cholesky factor). */
export function upperCholesky(a: Float64Array, n: number): Float64Array {
  const l = cholesky(a, n);
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) u[j * n + i] = l[i * n + j];
  return u;
}

/**
 * U upper triangular with A^-1 = U^T U, for A symmetric positive definite: what GPTQ feeds back through, made
 * with one Cholesky and one triangular inverse (about n^3/2 multiply-adds) instead of spdInverse then
 * upperCholesky (about 4/3 n^3, two of the three passes walking columns of row-major arrays). With J the
 * order-reversing permutation and J A J = L L^T: A = (J L J)(J L J)^T, J L J is upper, so
 * A^-1 = (J L^-1 J)^T (J L^-1 J) and U = J L^-1 J, i.e. U[i][j] = (L^-1)[n-1-i][n-1-j]. Every inner loop runs
 * along rows (a 4608-column layer: n^3 is 1e11, and strided walks were most of GPTQ's time there).
 */
export function inverseUpperFactor(a: Float64Array, n: number): Float64Array {
  if (a.length !== n * n) throw new Error(`inverseUpperFactor: ${a.length} values for a ${n}x${n} matrix`);
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r[i * n + j] = a[(n - 1 - i) * n + (n - 1 - j)];
  const l = cholesky(r, n);
  // M = L^-1 row by row: M[i] = (e_i - sum_{k<i} L[i][k] M[k]) / L[i][i]; M[k] is zero past column k.
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const mi = i * n;
    for (let k = 0; k < i; k++) {
      const f = l[mi + k];
      if (f === 0) continue;
      const mk = k * n;
      for (let c = 0; c <= k; c++) m[mi + c] -= f * m[mk + c];
    }
    m[mi + i] += 1;
    const d = l[mi + i];
    for (let c = 0; c <= i; c++) m[mi + c] /= d;
  }
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) u[i * n + j] = m[(n - 1 - i) * n + (n - 1 - j)];
  return u;
}

/** Round to nearest, ties to even (as the weight quantizer of src/quant does). */
function roundEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * GPTQ codes for `w` ([rows, cols] row-major, one row per output channel) with per-row `scale`, codes in
 * [-qmax, qmax], against the Hessian `h` ([cols, cols], X^T X up to a constant factor). `h` is not modified.
 * Columns whose H[i][i] is 0 (inputs that were always 0) keep round-to-nearest: nothing constrains them.
 */
export function gptqRound(w: ArrayLike<number>, rows: number, cols: number, h: Float64Array, scale: ArrayLike<number>, qmax: number, opts: GptqOptions = {}): Int8Array {
  if (w.length !== rows * cols) throw new Error(`gptqRound: ${w.length} weights for [${rows}, ${cols}]`);
  if (h.length !== cols * cols) throw new Error(`gptqRound: Hessian has ${h.length} values, want ${cols}x${cols}`);
  if (scale.length !== rows) throw new Error(`gptqRound: ${scale.length} scales for ${rows} rows`);
  // Column order: act-order permutation (decreasing diagonal), applied to H and W alike.
  const perm = Array.from({ length: cols }, (_, i) => i);
  if (opts.actOrder ?? true) perm.sort((x, y) => h[y * cols + y] - h[x * cols + x] || x - y);
  const hp = new Float64Array(cols * cols);
  let meanDiag = 0;
  for (let i = 0; i < cols; i++) meanDiag += h[i * cols + i] / cols;
  for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) hp[i * cols + j] = h[perm[i] * cols + perm[j]];
  for (let i = 0; i < cols; i++) {
    // A dead input: no data constrains it; a unit diagonal keeps H invertible and gives it no error feedback.
    if (hp[i * cols + i] === 0) hp[i * cols + i] = 1;
  }
  const lambda = (opts.damp ?? 0.01) * (meanDiag > 0 ? meanDiag : 1);
  for (let i = 0; i < cols; i++) hp[i * cols + i] += lambda;
  const u = inverseUpperFactor(hp, cols);
  const codes = new Int8Array(rows * cols);
  const row = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const s = scale[r];
    for (let i = 0; i < cols; i++) row[i] = w[r * cols + perm[i]];
    for (let i = 0; i < cols; i++) {
      const q = s > 0 ? Math.max(-qmax, Math.min(qmax, roundEven(row[i] / s))) : 0;
      codes[r * cols + perm[i]] = q;
      const e = (row[i] - q * s) / u[i * cols + i];
      for (let j = i + 1; j < cols; j++) row[j] -= e * u[i * cols + j];
    }
  }
  return codes;
}

/**
 * The weights a layer needs on quantized inputs to reproduce its float output: per row w, the w* minimizing
 * ||X_f w - X w*||^2 + lambda ||w* - w||^2, i.e. (X^T X + lambda I) w* = X^T X_f w + lambda w. X: the layer's
 * quantized input, X_f: the float model's input at the same positions; `h` = X^T X, `cross` = X^T X_f; lambda =
 * damp x mean(diag H), a ridge towards the float weights (not towards 0). With lambda -> 0, X^T (X_f w - X w*) = 0,
 * so ||X_f w - X q||^2 = ||X_f w - X w*||^2 + (w* - q)^T H (w* - q): GPTQ on w* with the same H then minimizes the
 * error against the float layer's output (the asymmetric target of GPTAQ, Li et al. 2025), compensating what the
 * quantized layers before this one got wrong as well as this layer's own rounding.
 */
export function regressToFloat(w: ArrayLike<number>, rows: number, cols: number, h: Float64Array, cross: Float64Array, damp = 0.01): Float64Array {
  if (w.length !== rows * cols || h.length !== cols * cols || cross.length !== cols * cols) throw new Error(`regressToFloat: sizes do not match [${rows}, ${cols}]`);
  let meanDiag = 0;
  for (let i = 0; i < cols; i++) meanDiag += h[i * cols + i] / cols;
  const lambda = damp * (meanDiag > 0 ? meanDiag : 1);
  const a = Float64Array.from(h);
  for (let i = 0; i < cols; i++) a[i * cols + i] += lambda; // a dead input (zero row of H and C) keeps w*_i = w_i
  const inv = spdInverse(a, cols);
  const out = new Float64Array(rows * cols);
  const rhs = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const wr = r * cols;
    for (let i = 0; i < cols; i++) {
      let s = lambda * w[wr + i];
      for (let j = 0; j < cols; j++) s += cross[i * cols + j] * w[wr + j];
      rhs[i] = s;
    }
    for (let i = 0; i < cols; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += inv[i * cols + j] * rhs[j];
      out[wr + i] = s;
    }
  }
  return out;
}

/** sum_rows (w - q)^T H (w - q): the layer's output reconstruction error on the inputs H was made from. */
export function reconstructionError(w: ArrayLike<number>, q: ArrayLike<number>, rows: number, cols: number, h: Float64Array): number {
  let total = 0;
  const d = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < cols; i++) d[i] = w[r * cols + i] - q[r * cols + i];
    for (let i = 0; i < cols; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += h[i * cols + j] * d[j];
      total += d[i] * s;
    }
  }
  return total;
}
