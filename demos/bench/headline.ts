/**
 * The benchmark page's headline: quantgpu's own best result, never simply the last row (which is a peer's once the
 * matrix moves on to TF.js). Pure, so it is tested without a browser.
 */
import type { BenchRow } from '../../src/bench/types.ts';

/** The headline's parts: quantgpu's fastest finished row, and the fastest peer on the same model for comparison. */
export interface Headline {
  best: BenchRow;
  peer?: BenchRow;
}

/** quantgpu's fastest `ok` row (first model measured), and the fastest other runtime on that model; undefined before any quantgpu row finished. */
export function headline(rows: BenchRow[]): Headline | undefined {
  const ok = rows.filter((r) => r.status === 'ok' && r.fps !== undefined && Number.isFinite(r.fps));
  const ours = ok.filter((r) => r.runtime === 'quantgpu');
  if (!ours.length) return undefined;
  const model = ours[0].model;
  const fastest = (list: BenchRow[]) => list.reduce((a, b) => (b.fps! > a.fps! ? b : a));
  const best = fastest(ours.filter((r) => r.model === model));
  const peers = ok.filter((r) => r.model === model && r.runtime !== 'quantgpu');
  return { best, peer: peers.length ? fastest(peers) : undefined };
}

/** The headline as HTML (numbers only, no user strings beyond model and runtime ids). */
export function headlineHtml(h: Headline): string {
  const { best, peer } = h;
  const ms = (v?: number) => (v === undefined ? '-' : v.toFixed(1));
  const vsPeer = peer ? `; fastest peer ${peer.runtime}/${peer.precision} ${peer.fps!.toFixed(2)} FPS (quantgpu ${(best.fps! / peer.fps!).toFixed(2)}x)` : '';
  return `<b>quantgpu ${best.fps!.toFixed(2)} FPS</b> median ${ms(best.medianMs)} ms, p95 ${ms(best.p95Ms)} ms ` +
    `(${best.model}, ${best.precision}${best.speedup ? `, ${best.speedup.toFixed(2)}x ORT-web WebGPU fp32` : ''})${vsPeer}`;
}
