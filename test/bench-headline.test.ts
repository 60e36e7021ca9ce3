/** The benchmark page's headline names quantgpu's fastest row, not whatever row finished last. */
import { describe, expect, it } from 'vitest';
import type { BenchRow } from '../src/bench/types.ts';
import { headline, headlineHtml } from '../demos/bench/headline.ts';

const row = (runtime: BenchRow['runtime'], precision: BenchRow['precision'], fps: number, model = 'resnet8', status: BenchRow['status'] = 'ok'): BenchRow =>
  ({ model, modelLabel: model, inputDims: [1, 3, 32, 32], runtime, precision, status, fps, medianMs: 1000 / fps, p95Ms: 1100 / fps });

describe('bench headline', () => {
  it('is quantgpu\'s fastest row on the first model, compared with the fastest peer there; TF.js last does not win', () => {
    const rows = [row('quantgpu', 'fp32', 40), row('quantgpu', 'int8', 55), row('quantgpu', 'int4', 70, 'resnet8', 'error'),
      row('ort-webgpu', 'fp32', 30), row('quantgpu', 'fp32', 90, 'resnet18'), row('tfjs-webgpu', 'fp32', 0.16)];
    const h = headline(rows)!;
    expect([h.best.precision, h.best.fps, h.peer?.runtime]).toEqual(['int8', 55, 'ort-webgpu']);
    const html = headlineHtml(h);
    expect(html).toMatch(/^<b>quantgpu 55\.00 FPS<\/b>/);
    expect(html).toContain('quantgpu 1.83x');
    expect(html).not.toContain('0.16');
  });
  it('is absent until a quantgpu row finished', () => {
    expect(headline([row('ort-webgpu', 'fp32', 30), row('quantgpu', 'fp32', 10, 'resnet8', 'error')])).toBeUndefined();
  });
});
