/**
 * The benchmark page: controls, results table, plots, save JSON. Also exposes `window.quantgpuBench.run(cfg)`
 * for the Node harness and the e2e test, which drive exactly the code a person clicks.
 */
import { MODELS } from '../../src/bench/models.ts';
import { fpsBarsSvg, latencySvg, layerBarsSvg } from '../../src/bench/charts.ts';
import { addSpeedups } from '../../src/bench/stats.ts';
import { RUNTIMES, type BenchReport, type BenchRow, type RuntimeId } from '../../src/bench/types.ts';
import type { Precision } from '../../src/runtime/api.ts';
import { headline, headlineHtml } from './headline.ts';
import { runMatrix, type MatrixConfig } from './matrix.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const PRECISIONS: Precision[] = ['fp32', 'fp16', 'int8', 'int4', 'mixed'];

function checkboxes(container: string, name: string, values: string[], checked: (v: string) => boolean) {
  $(container).innerHTML = values.map((v) => `<label><input type="checkbox" name="${name}" value="${v}" ${checked(v) ? 'checked' : ''}> ${v}</label><br>`).join('');
}
const selected = (name: string) => [...document.querySelectorAll<HTMLInputElement>(`input[name=${name}]:checked`)].map((e) => e.value);

checkboxes('models', 'model', MODELS.map((m) => m.id), (v) => v === 'resnet8');
checkboxes('precisions', 'precision', PRECISIONS, (v) => v === 'fp32' || v === 'int8');
checkboxes('runtimes', 'runtime', RUNTIMES, (v) => !v.endsWith('-qdq'));

const log = (m: string) => {
  console.log(`[bench] ${m}`);
  const el = $('log');
  el.textContent += `${m}\n`;
  el.scrollTop = el.scrollHeight;
};

const mib = (b?: number) => (b === undefined ? '-' : (b / 2 ** 20).toFixed(2));
const num = (v?: number, d = 1) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));

function render(rows: BenchRow[]) {
  $('results').querySelector('tbody')!.innerHTML = rows.map((r) => `<tr class="${r.status}" data-runtime="${r.runtime}" data-precision="${r.precision}" data-model="${r.model}">
    <td>${r.modelLabel}</td><td>${r.inputDims.slice(2).join('x')}</td><td>${r.runtime}</td><td>${r.precision}</td>
    <td title="${(r.message ?? '').replace(/"/g, '&quot;')}">${r.status === 'ok' ? 'ok' : `${r.status}: ${(r.message ?? '').slice(0, 60)}`}</td>
    <td class="fps">${num(r.fps, 2)}</td><td>${num(r.medianMs)}</td><td>${num(r.p95Ms)}</td><td>${r.speedup ? `${r.speedup.toFixed(2)}x` : '-'}</td>
    <td>${mib(r.weightBytes)}</td><td>${mib(r.activationBytes)}</td><td>${num(r.loadMs, 0)}</td></tr>`).join('');
  $('latency').innerHTML = latencySvg(rows);
  $('fps').innerHTML = fpsBarsSvg(rows);
  const prof = [...rows].reverse().find((r) => r.profile?.length);
  if (prof) $('layers').innerHTML = `<p>${prof.model} quantgpu/${prof.precision}</p>${layerBarsSvg(prof.profile!)}`;
  const h = headline(rows);
  $('stats').innerHTML = h ? headlineHtml(h) : rows.length ? 'no quantgpu result yet' : '';
}

let lastReport: BenchReport | undefined;

/**
 * Runs a matrix. `append` (the Node harness, one cell per call) keeps the rows shown before: the table and the
 * plots show the whole run, and a reloaded page starts from the rows the harness passes back in `previous`.
 */
async function run(cfg: MatrixConfig & { append?: boolean; previous?: BenchRow[] }): Promise<BenchReport> {
  $('state').textContent = 'running...';
  ($('run') as HTMLButtonElement).disabled = true;
  const before = cfg.append ? (cfg.previous ?? lastReport?.rows ?? []) : [];
  try {
    const report = await runMatrix(cfg, (_row, rows) => render(addSpeedups([...before, ...rows])), log);
    lastReport = { ...report, rows: addSpeedups([...before, ...report.rows]) };
    render(lastReport.rows);
    report.rows = lastReport.rows.slice(before.length);
    ($('save') as HTMLButtonElement).disabled = false;
    $('state').textContent = `done (${lastReport.adapter})`;
    return report;
  } finally {
    ($('run') as HTMLButtonElement).disabled = false;
  }
}

async function customModel(): Promise<MatrixConfig['custom']> {
  const file = ($('file') as HTMLInputElement).files?.[0];
  const url = ($('url') as HTMLInputElement).value.trim();
  if (!file && !url) return undefined;
  const bytes = file ? new Uint8Array(await file.arrayBuffer()) : new Uint8Array(await (await fetch(url)).arrayBuffer());
  const inputDims = ($('dims') as HTMLInputElement).value.split(',').map(Number);
  const [lo, hi] = ($('range') as HTMLInputElement).value.split(',').map(Number);
  return { label: file?.name ?? url, bytes, inputDims, inputRange: [lo, hi] };
}

$('run').addEventListener('click', async () => {
  const size = Number(($('size') as HTMLSelectElement).value) || undefined;
  await run({
    models: selected('model'), size, runtimes: selected('runtime') as RuntimeId[], precisions: selected('precision') as Precision[],
    warmup: Number(($('warmup') as HTMLInputElement).value), frames: Number(($('frames') as HTMLInputElement).value),
    seed: 1234, custom: await customModel(),
  });
});

$('save').addEventListener('click', () => {
  if (!lastReport) return;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([JSON.stringify(lastReport, null, 1)], { type: 'application/json' }));
  a.download = `quantgpu-bench-${lastReport.date.replace(/[:.]/g, '-')}.json`;
  a.click();
});

declare global {
  interface Window {
    quantgpuBench: { run: typeof run; ready: true };
  }
}
window.quantgpuBench = { run, ready: true };
log(`ready; navigator.gpu ${navigator.gpu ? 'present' : 'MISSING'}`);
