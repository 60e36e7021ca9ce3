import { describe, expect, it } from 'vitest';
import { inverseUpperFactor, spdInverse, upperCholesky } from '../src/ptq/gptq.ts';
import { testRng } from './helpers/rng.ts';

describe('inverseUpperFactor (GPTQ feedback factor)', () => {
  it('equals the upper Cholesky factor of the inverse (spdInverse then upperCholesky) on random SPD matrices', () => {
    const rng = testRng();
    for (const n of [1, 2, 3, rng.int(4, 40), rng.int(41, 90)]) {
      // A = X^T X + 0.01 n I from random rows (a layer-input Hessian with GPTQ's dampening).
      const rows = n + rng.int(0, 2 * n);
      const x = Float64Array.from({ length: rows * n }, () => rng.uniform(-1, 1) * (rng.next() < 0.2 ? 0 : 1));
      const a = new Float64Array(n * n);
      for (let r = 0; r < rows; r++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] += x[r * n + i] * x[r * n + j];
      for (let i = 0; i < n; i++) a[i * n + i] += 0.01 * n + 1e-3;
      const want = upperCholesky(spdInverse(a, n), n);
      const got = inverseUpperFactor(a, n);
      const scale = Math.max(...want.map(Math.abs));
      for (let k = 0; k < n * n; k++) expect(Math.abs(got[k] - want[k]), `n ${n} index ${k}`).toBeLessThan(1e-9 * scale);
      // And the defining property: U^T U A = I.
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) {
            let inv = 0;
            for (let t = 0; t <= Math.min(i, k); t++) inv += got[t * n + i] * got[t * n + k];
            s += inv * a[k * n + j];
          }
          expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-8);
        }
      }
    }
  });
});
