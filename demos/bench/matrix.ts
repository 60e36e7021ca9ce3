/** Runs a benchmark matrix in the page: fetches each model once, then every (runtime, precision) cell on it. */
import { QUANT_VARIANTS, type QuantVariant, findModel, modelRef, type ModelUrls } from '../../src/bench/models.ts';
import { qdqVariant } from '../../src/bench/cells.ts';
import { benchCell } from '../../src/bench/runner.ts';
import { addSpeedups } from '../../src/bench/stats.ts';
import type { BenchReport, BenchRow, ModelRef, RuntimeId } from '../../src/bench/types.ts';
import type { Precision } from '../../src/runtime/api.ts';
import { factoryFor } from './runtimes.ts';

declare const __QUANTGPU_ASSETS_URL__: string;

export interface MatrixConfig {
  models: string[];
  /** Input side for fixture models (asset models have a fixed size); default: each model's default size. */
  size?: number;
  full?: boolean;
  runtimes: RuntimeId[];
  /** Precisions for the quantgpu runtime (peers run the float or QDQ model). */
  precisions: Precision[];
  warmup: number;
  frames: number;
  seed: number;
  /** Per-cell timing budget in ms (BenchSettings.budgetMs); unset: every frame runs. */
  budgetMs?: number;
  urls?: Partial<ModelUrls>;
  /** A model from a URL or the file picker, run as model id 'custom'. */
  custom?: { label: string; bytes: Uint8Array; inputDims: number[]; inputRange: [number, number] };
}

export const DEFAULT_URLS: ModelUrls = { assets: __QUANTGPU_ASSETS_URL__, generated: '/bench-results/models/' };

async function fetchBytes(url: string | undefined): Promise<Uint8Array | undefined> {
  if (!url) return undefined;
  const res = await fetch(url);
  // Vite's SPA fallback answers index.html for a missing file: reject anything that is not binary.
  if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) return undefined;
  return new Uint8Array(await res.arrayBuffer());
}

async function adapterName(): Promise<string> {
  const a = await navigator.gpu?.requestAdapter();
  return a ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() : 'no WebGPU adapter';
}


/** Runs the matrix; `onRow` sees each row as soon as it is measured. */
export async function runMatrix(cfg: MatrixConfig, onRow: (row: BenchRow, rows: BenchRow[]) => void, log: (m: string) => void): Promise<BenchReport> {
  const urls = { ...DEFAULT_URLS, ...cfg.urls };
  const settings = { warmup: cfg.warmup, frames: cfg.frames, seed: cfg.seed, budgetMs: cfg.budgetMs };
  const rows: BenchRow[] = [];
  const models: { ref: ModelRef; bytes?: Uint8Array; qdq: Partial<Record<QuantVariant, Uint8Array>> }[] = [];
  if (cfg.custom) {
    const c = cfg.custom;
    models.push({ ref: { id: 'custom', label: c.label, url: '', inputDims: c.inputDims, inputRange: c.inputRange }, bytes: c.bytes, qdq: {} });
  }
  for (const id of cfg.models) {
    const m = findModel(id);
    const ref = modelRef(m, cfg.size ?? (cfg.full ? m.fullSize : m.size), urls);
    models.push({ ref, qdq: {} });
  }
  for (const m of models) {
    m.bytes ??= await fetchBytes(m.ref.url);
    // Only the QDQ exports some cell of this run uses (a missing one is a 404 in the console).
    const needed = new Set(cfg.runtimes.flatMap((r) => (r === 'quantgpu' ? cfg.precisions : [r.endsWith('-qdq') ? 'qdq' as const : 'fp32' as const]).map((p) => qdqVariant(r, p))));
    for (const v of QUANT_VARIANTS) if (needed.has(v)) m.qdq[v] = await fetchBytes(m.ref.qdqUrls?.[v]);
    const have = QUANT_VARIANTS.filter((v) => m.qdq[v]);
    log(`model ${m.ref.id} ${m.ref.inputDims.join('x')}: ${m.bytes ? `${m.bytes.byteLength} bytes` : `missing (${m.ref.url})`}${have.length ? `, QDQ exports: ${have.join(', ')}` : ''}`);
    for (const runtime of cfg.runtimes) {
      const qdq = runtime.endsWith('-qdq');
      const precisions: (Precision | 'qdq')[] = runtime === 'quantgpu' ? cfg.precisions : [qdq ? 'qdq' : 'fp32'];
      for (const p of precisions) {
        log(`running ${m.ref.id} ${runtime}/${p}`);
        const v = qdqVariant(runtime, p);
        const row = await benchCell(m.ref, v ? m.qdq[v] : m.bytes, runtime, p, factoryFor(runtime, p), settings, log);
        rows.push(row);
        addSpeedups(rows);
        onRow(row, rows);
        log(`done ${m.ref.id} ${runtime}/${p}: ${row.status}${row.fps ? ` ${row.fps.toFixed(2)} FPS (median ${row.medianMs!.toFixed(1)} ms, p95 ${row.p95Ms!.toFixed(1)} ms)` : ` ${row.message ?? ''}`}`);
      }
    }
  }
  return { date: new Date().toISOString(), userAgent: navigator.userAgent, adapter: await adapterName(), settings, rows: addSpeedups(rows) };
}
