/**
 * The readable side of the mixed-precision search: a Markdown table of per-layer sensitivity and an SVG bar chart
 * (SQNR with only that layer at int8 / int4, per layer, chosen int4 layers marked).
 */
import type { MixedResult } from './mixed.ts';
import type { LayerSensitivity } from './sensitivity.ts';

const fmt = (db: number): string => (Number.isFinite(db) ? db.toFixed(1) : 'inf');

/** `unit`: what the search measured ('dB' output SQNR against FP32, or 'points' of held-out accuracy). */
export function sensitivityTable(layers: LayerSensitivity[], mixed?: MixedResult, unit = 'dB'): string {
  const rows = layers.map((l, i) => `| ${i} | ${l.name} | ${l.op} | ${l.params} | ${fmt(l.sqnr8)} | ${fmt(l.sqnr4)} | ${mixed ? (mixed.int4.has(l.name) ? 'int4' : 'int8') : ''} |`);
  const lines = ['| # | layer | op | params | SQNR int8 (dB) | SQNR int4 (dB) | mixed |', '|---|---|---|---|---|---|---|', ...rows];
  if (mixed) {
    const what = unit === 'dB' ? 'Output SQNR against FP32' : 'Held-out accuracy';
    lines.push('', `${what}: all int8 ${fmt(mixed.baselineDb)} ${unit}; mixed ${fmt(mixed.sqnrDb)} ${unit} with ${mixed.int4.size} of ${layers.length} layers at int4 (${mixed.target === -Infinity ? 'a size budget: no score target' : `target ${fmt(mixed.target)} ${unit}`}).`);
    lines.push(`Search trials (int4 layers -> ${unit}): ${mixed.trials.map((t) => `${t.int4} -> ${fmt(t.sqnrDb)}`).join(', ')}.`);
  }
  return lines.join('\n');
}

/** A bar chart: per layer two bars (int8 blue, int4 orange); int4-chosen layers get a mark under the axis. */
export function sensitivitySvg(layers: LayerSensitivity[], mixed?: MixedResult, title = 'Per-layer sensitivity'): string {
  const w = Math.max(600, 60 + layers.length * 14);
  const h = 320;
  const top = 30;
  const bottom = 250;
  const finite = layers.flatMap((l) => [l.sqnr8, l.sqnr4]).filter(Number.isFinite);
  const max = Math.ceil((Math.max(10, ...finite) + 5) / 10) * 10;
  const y = (db: number): number => bottom - ((Math.min(Number.isFinite(db) ? db : max, max)) / max) * (bottom - top);
  const bars: string[] = [];
  layers.forEach((l, i) => {
    const x = 50 + i * 14;
    bars.push(`<rect x="${x}" y="${y(l.sqnr8).toFixed(1)}" width="6" height="${(bottom - y(l.sqnr8)).toFixed(1)}" fill="#4c78a8"><title>${l.name} int8 ${fmt(l.sqnr8)} dB</title></rect>`);
    bars.push(`<rect x="${x + 6}" y="${y(l.sqnr4).toFixed(1)}" width="6" height="${(bottom - y(l.sqnr4)).toFixed(1)}" fill="#f58518"><title>${l.name} int4 ${fmt(l.sqnr4)} dB</title></rect>`);
    if (mixed?.int4.has(l.name)) bars.push(`<circle cx="${x + 6}" cy="${bottom + 8}" r="3" fill="#f58518"/>`);
    if (i % 5 === 0) bars.push(`<text x="${x}" y="${bottom + 24}" font-size="9">${i}</text>`);
  });
  const grid = Array.from({ length: max / 10 + 1 }, (_, k) =>
    `<line x1="45" x2="${w - 10}" y1="${y(k * 10)}" y2="${y(k * 10)}" stroke="#ddd"/><text x="20" y="${y(k * 10) + 3}" font-size="9">${k * 10}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif">`,
    `<text x="50" y="18" font-size="12">${title}: output SQNR (dB) with one layer quantized; blue int8, orange int4; dots: int4 in the mixed config</text>`,
    ...grid, ...bars,
    `<text x="${w / 2}" y="${h - 20}" font-size="10">layer index (graph order)</text>`,
    '</svg>',
  ].join('\n');
}
