/**
 * Where a W8A8 model loses its accuracy: the error budget of the `auto` W8A8 model (ptq-table's calibration and
 * evaluation images), each variant scored in the fake-quant simulation as the mean of jittered draws (ptq-eval's
 * `--jitter`: on YOLOX-nano one draw moves by up to 2 mAP from ties alone, docs/ptq.md):
 *
 *   all        the W8A8 auto model (its float-fallback layers float)
 *   weights    only the weights int8 (no activation Q/DQ)
 *   acts       only the activations int8 (float weights)
 *   -t         the model with tensor t left float (its Q/DQ removed), for the `--worst K` tensors of lowest
 *              single-tensor output SQNR (select.ts), and for `--tensors a,b` as given
 *
 *   node --import tsx --import ./scripts/raw-hook.mjs scripts/ptq-ablate.ts --model yolox [--worst 12]
 *     [--tensors a,b] [--seeds 1,2,3,4,5] [--jitter 0.01] [--shared] [--out docs/ptq-results/yolox.ablate.md]
 *
 * `--shared`: one more variant, pass-through ops at one scale (a MaxPool / Resize output at its input's parameters,
 * a Concat's only-read inputs at the output's).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { flag, has, parseArgs } from '../src/cli/args.ts';
import { progressBar } from '../src/cli/progress.ts';
import { assetPath } from '../src/eval/assets.ts';
import type { Graph } from '../src/runtime/ir.ts';
import { save } from '../src/runtime/onnx/save.ts';
import { buildQdq, quantizedActivations, uniformBits } from '../src/ptq/build.ts';
import { calibrationFrom, datasetSize, modelProfile, openDataset } from '../src/ptq/datasets.ts';
import { evaluate, ortRunner } from '../src/ptq/evaluate.ts';
import { inputDerived, insertQdq } from '../src/ptq/qdq.ts';
import { consumersOf, PASS_THROUGH } from '../src/ptq/graph.ts';
import { activationParams } from '../src/ptq/calibrate.ts';
import { AUTO_METHODS, calibrateGraph, fakeQuantRunner, floatGraph, searchSet } from '../src/ptq/quantize.ts';
import { selectActivations } from '../src/ptq/select.ts';
import { ortSource } from '../src/ptq/source.ts';
import { jittered, ptqModel } from './ptq-models.ts';

const a = parseArgs(process.argv.slice(2), ['shared']);
const key = flag(a, 'model') ?? 'yolox';
const m = ptqModel(key, 'ptq-ablate');
const g = floatGraph(new Uint8Array(readFileSync(assetPath(m.file))));
const profile = modelProfile(g, m.file);
const data = openDataset(assetPath(m.data));
const calib = calibrationFrom(data, profile, 0, m.calib);
const seeds = (flag(a, 'seeds') ?? '1,2,3,4,5').split(',').map(Number);
const eps = Number(flag(a, 'jitter') ?? 0.01);
const end = datasetSize(data);

const stats = await calibrateGraph(g, calib, [...AUTO_METHODS], { source: (x) => ortSource(x) });
const sel = await selectActivations(g, stats, await searchSet(calib, 2, 32), fakeQuantRunner, { methods: [...AUTO_METHODS], onProgress: progressBar(`${key} select`) });
const bits = uniformBits(g, 8);
for (const l of sel.floatLayers) bits.delete(l);
const build = { method: 'entropy' as const, activations: sel.params };
const full = buildQdq(g, stats, bits, build);
const acts = new Set(quantizedActivations(g, bits));
const minmax = activationParams(stats, 'minmax');

/** Mean and range of the jittered simulation draws of `q`. */
async function score(label: string, q: Graph): Promise<string> {
  const runner = await ortRunner(save(q), 'disabled');
  const s: number[] = [];
  try {
    for (const seed of seeds) {
      const r = await evaluate(jittered(runner, eps, seed), data, profile, { start: m.calib, end, onProgress: progressBar(`${label} seed ${seed}`) });
      s.push(100 * (r.top1 ?? r.mAP!));
    }
  } finally {
    await runner.dispose();
  }
  const mean = s.reduce((x, y) => x + y, 0) / s.length;
  const line = `| ${label} | ${mean.toFixed(2)} | ${Math.min(...s).toFixed(1)} to ${Math.max(...s).toFixed(1)} |`;
  console.log(line);
  return line;
}

const rows: string[] = [];
rows.push(await score('FP32', g));
rows.push(await score(`all (W8A8 auto, ${sel.floatLayers.size} float layers)`, full));
rows.push(await score('weights int8 only', buildQdq(g, stats, bits, { ...build, activations: new Map(), floatRest: true })));
rows.push(await score('activations int8 only', insertQdq(g, { activations: new Map([...acts].map((t) => [t, inputDerived(g).has(t) ? minmax.get(t)! : sel.params.get(t)!])), weights: new Map() })));
// Pass-through ops at one scale: a MaxPool / Resize / ... output takes its input's parameters, and a Concat's inputs
// take the output's where the Concat is their only quantized reader (no requantization step between them).
if (has(a, 'shared')) {
  const p = new Map(sel.params);
  const readers = consumersOf(g);
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k];
    if (!PASS_THROUGH.has(n.opType) || !p.has(n.outputs[0])) continue;
    if (n.opType === 'Concat') {
      for (const i of n.inputs) if (p.has(i) && (readers.get(i) ?? []).filter((r) => r.opType !== 'Sigmoid' && r.opType !== 'Mul').length === 1) p.set(i, p.get(n.outputs[0])!);
    }
  }
  for (const n of g.nodes) if (PASS_THROUGH.has(n.opType) && n.opType !== 'Concat' && p.has(n.outputs[0]) && p.has(n.inputs[0])) p.set(n.outputs[0], p.get(n.inputs[0])!);
  rows.push(await score('all, pass-through ops at one scale', buildQdq(g, stats, bits, { ...build, activations: p })));
}
const bySqnr = sel.choices.filter((c) => acts.has(c.name)).sort((x, y) => Math.max(...Object.values(x.sqnr)) - Math.max(...Object.values(y.sqnr)));
const tensors = [...new Set([...bySqnr.slice(0, Number(flag(a, 'worst') ?? 12)).map((c) => c.name), ...(flag(a, 'tensors') ?? '').split(',').filter(Boolean)])];
for (const t of tensors) {
  const c = sel.choices.find((x) => x.name === t);
  const db = c ? ` (alone ${Math.max(...Object.values(c.sqnr)).toFixed(1)} dB, ${c.method})` : '';
  rows.push(await score(`all but ${t} float${db}`, buildQdq(g, stats, bits, { ...build, activations: new Map([...sel.params].filter(([n]) => n !== t)), floatRest: true })));
}
const header = `# ${key}: W8A8 error budget (simulation, mean of jitter ${eps} draws, seeds ${seeds.join(',')}; eval images ${m.calib}-${end - 1})\n\n| variant | mean | range |\n|---|---|---|`;
const out = flag(a, 'out');
if (out) writeFileSync(out, `${header}\n${rows.join('\n')}\n`);
console.log(`${header}\n${rows.join('\n')}`);
