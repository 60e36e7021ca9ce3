/** The standalone HTML report of a benchmark run: the table, FPS and latency plots, per-layer profiles. */
import { fpsBarsSvg, latencySvg, layerBarsSvg } from '../src/bench/charts.ts';
import { markdownTable } from '../src/bench/stats.ts';
import type { BenchReport } from '../src/bench/types.ts';

const esc = (s: string) => s.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Markdown table -> HTML table (the report keeps exactly the numbers the console printed). */
function mdToHtml(md: string): string {
  const [head, , ...body] = md.split('\n');
  const cells = (l: string) => l.split('|').slice(1, -1).map((c) => esc(c.trim()));
  return `<table><tr>${cells(head).map((c) => `<th>${c}</th>`).join('')}</tr>${body.map((l) => `<tr>${cells(l).map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</table>`;
}

export function reportHtml(report: BenchReport, notes: string[] = []): string {
  const models = [...new Set(report.rows.map((r) => r.model))];
  const perModel = models.map((m) => {
    const rows = report.rows.filter((r) => r.model === m);
    const profiles = rows.filter((r) => r.profile?.length).map((r) => `<h4>${esc(`${m} quantgpu/${r.precision}`)}</h4>${layerBarsSvg(r.profile!)}`);
    return `<h2>${esc(rows[0].modelLabel)} ${rows[0].inputDims.slice(2).join('x')}</h2><h3>FPS</h3>${fpsBarsSvg(rows)}<h3>Latency per frame</h3>${latencySvg(rows)}${profiles.length ? `<h3>Per-layer time</h3>${profiles.join('')}` : ''}`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>quantgpu benchmark ${esc(report.date)}</title>
<style>body{font:14px system-ui,sans-serif;margin:16px;max-width:1100px}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}</style></head><body>
<h1>quantgpu benchmark</h1><p>${esc(report.date)} &middot; adapter: ${esc(report.adapter)} &middot; ${esc(report.userAgent)}<br>
warm-up ${report.settings.warmup}, timed frames ${report.settings.frames}; frame time = upload + inference + readback; ratio = ORT-web WebGPU FP32 median / row median on the same model.</p>
${notes.map((n) => `<p>${esc(n)}</p>`).join('')}
${mdToHtml(markdownTable(report.rows))}
${perModel.join('\n')}
</body></html>`;
}
