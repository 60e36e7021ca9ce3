/** Summary statistics of frame times, and the ratio to the baseline runtime. */
import { BASELINE, type BenchRow } from './types.ts';

/** Nearest-rank percentile (p in [0, 100]) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Median as the mean of the two middle values for even counts. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Sets `speedup` on every ok row: baseline median / row median, for rows whose model has an ok baseline row. */
export function addSpeedups(rows: BenchRow[]): BenchRow[] {
  for (const r of rows) {
    const base = rows.find((b) => b.model === r.model && b.runtime === BASELINE && b.status === 'ok' && sameDims(b.inputDims, r.inputDims));
    r.speedup = r.status === 'ok' && base?.medianMs && r.medianMs ? base.medianMs / r.medianMs : undefined;
  }
  return rows;
}

const sameDims = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The markdown table printed by the harness and embedded in the report. */
export function markdownTable(rows: BenchRow[]): string {
  const fmt = (v: number | undefined, d = 1) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));
  const mb = (b?: number) => (b === undefined ? '-' : (b / 2 ** 20).toFixed(2));
  const head = '| model | input | runtime | precision | status | FPS (median) | median ms | p95 ms | vs ORT-web WebGPU | weights MiB | load ms |';
  const lines = [head, '|---|---|---|---|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const status = r.status === 'ok' ? 'ok' : `${r.status}${r.message ? `: ${r.message.replace(/\|/g, '/').slice(0, 80)}` : ''}`;
    const ratio = r.speedup === undefined ? '-' : `${r.speedup.toFixed(2)}x`;
    lines.push(`| ${r.modelLabel} | ${r.inputDims.slice(2).join('x')} | ${r.runtime} | ${r.precision} | ${status} | ${fmt(r.fps, 2)} | ${fmt(r.medianMs)} | ${fmt(r.p95Ms)} | ${ratio} | ${mb(r.weightBytes)} | ${fmt(r.loadMs, 0)} |`);
  }
  return lines.join('\n');
}
