/** Dependency-free inline SVG charts for the benchmark page and the HTML report (strings, so Node can use them). */
import type { StepTiming } from '../runtime/api.ts';
import type { BenchRow } from './types.ts';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const rowName = (r: BenchRow) => `${r.model} ${r.runtime}/${r.precision}`;

/** Frame time (ms) per timed frame, one polyline per row, log-scaled y so fast and slow runtimes both show. */
export function latencySvg(rows: BenchRow[], width = 720, height = 260): string {
  const ok = rows.filter((r) => r.times?.length);
  if (!ok.length) return '<svg width="0" height="0"></svg>';
  const all = ok.flatMap((r) => r.times!);
  const lo = Math.log10(Math.max(0.01, Math.min(...all)) / 1.2);
  const hi = Math.log10(Math.max(...all) * 1.2);
  const n = Math.max(...ok.map((r) => r.times!.length));
  const L = 50, B = 24, T = 10, R = 220;
  const x = (i: number) => L + ((width - L - R) * i) / Math.max(1, n - 1);
  const y = (v: number) => T + (height - T - B) * (1 - (Math.log10(v) - lo) / (hi - lo || 1));
  const ticks = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) for (const m of [1, 2, 5]) {
    const v = m * 10 ** e;
    if (Math.log10(v) >= lo && Math.log10(v) <= hi) ticks.push(`<line x1="${L}" x2="${width - R}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${L - 4}" y="${y(v) + 4}" text-anchor="end" font-size="10">${v}</text>`);
  }
  const lines = ok.map((r, k) => {
    const c = COLORS[k % COLORS.length];
    const pts = r.times!.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${pts}"/><text x="${width - R + 8}" y="${T + 12 + k * 14}" font-size="11" fill="${c}">${esc(rowName(r))}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">${ticks.join('')}<text x="4" y="${T + 8}" font-size="10">ms</text><text x="${L}" y="${height - 6}" font-size="10">frame →</text>${lines.join('')}</svg>`;
}

/** Horizontal bars of the slowest `top` steps of a quantgpu profile. */
export function layerBarsSvg(profile: StepTiming[], top = 25, width = 720): string {
  const steps = [...profile].sort((a, b) => b.ms - a.ms).slice(0, top);
  if (!steps.length) return '<svg width="0" height="0"></svg>';
  const max = steps[0].ms || 1;
  const total = profile.reduce((a, s) => a + s.ms, 0);
  const H = 16, L = 260;
  const bars = steps.map((s, i) => {
    const w = ((width - L - 80) * s.ms) / max;
    return `<text x="${L - 6}" y="${i * H + 12}" text-anchor="end" font-size="10">${esc(`${s.node} (${s.kernel})`.slice(0, 48))}</text><rect x="${L}" y="${i * H + 2}" width="${w.toFixed(1)}" height="${H - 4}" fill="#1f77b4"/><text x="${L + w + 4}" y="${i * H + 12}" font-size="10">${s.ms.toFixed(3)} ms</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${steps.length * H + 18}" font-family="sans-serif">${bars.join('')}<text x="${L}" y="${steps.length * H + 14}" font-size="10">sum of ${profile.length} steps: ${total.toFixed(2)} ms</text></svg>`;
}

/** FPS per row as vertical bars, grouped by model. */
export function fpsBarsSvg(rows: BenchRow[], width = 720, height = 220): string {
  const ok = rows.filter((r) => r.fps);
  if (!ok.length) return '<svg width="0" height="0"></svg>';
  const max = Math.max(...ok.map((r) => r.fps!));
  const bw = Math.min(40, (width - 40) / ok.length - 4);
  const bars = ok.map((r, i) => {
    const h = ((height - 90) * r.fps!) / max;
    const x = 30 + i * (bw + 4);
    return `<rect x="${x}" y="${height - 70 - h}" width="${bw}" height="${h}" fill="${COLORS[i % COLORS.length]}"/><text x="${x + bw / 2}" y="${height - 74 - h}" font-size="9" text-anchor="middle">${r.fps!.toFixed(1)}</text><text transform="translate(${x + bw / 2},${height - 66}) rotate(40)" font-size="9">${esc(rowName(r))}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><text x="2" y="12" font-size="10">FPS</text>${bars.join('')}</svg>`;
}
