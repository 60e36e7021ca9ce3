/**
 * Per-stage load time and per-step GPU time of one model, FP32 against INT8 (its W8A8 QDQ export), under Node/Dawn:
 * where INT8 loses. Run `npm run bench -- --node --models <id>` once first so that the fixture and its QDQ export exist.
 *
 *   node --import tsx --import ./scripts/raw-hook.mjs scripts/profile-model.ts --model resnet20 [--frames 3] [--top 12]
 *
 * Prints, per precision: time in each load stage (prepare / plan / compile), the number of distinct pipelines
 * (kernel key + constants), and GPU ms per op kind summed over steps (timestamp queries; one pass per step).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { findModel } from '../src/bench/models.ts';
import { modelPath, qdqPath } from './bench-models.ts';
import { nodeGpu } from '../src/node/gpu.ts';
import { InferenceSession } from '../src/runtime/session.ts';
import { pipelineCache } from '../src/gpu/exec.ts';
import type { Precision } from '../src/runtime/api.ts';

const { values: args } = parseArgs({ options: {
  model: { type: 'string', default: 'resnet20' }, frames: { type: 'string', default: '3' }, top: { type: 'string', default: '14' },
  size: { type: 'string' }, steps: { type: 'boolean', default: false },
} });
const m = findModel(args.model!);
const size = Number(args.size) || m.size;
const floatPath = (await modelPath(m, size)).path;
const q = qdqPath(m, size, 'int8');
if (!floatPath || !q) throw new Error(`${m.id} at ${size}: run npm run bench -- --node --models ${m.id} first (float ${floatPath}, qdq ${q})`);
const gpu = await nodeGpu();
const [lo, hi] = m.inputRange;
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const data = Float32Array.from({ length: 3 * size * size }, () => lo + (hi - lo) * rand());

for (const [precision, path] of [['fp32', floatPath], ['int8', q]] as [Precision, string][]) {
  const bytes = new Uint8Array(readFileSync(path));
  const stages = new Map<string, number>();
  let last = performance.now();
  let stage = 'load';
  const t0 = last;
  const session = await InferenceSession.create(bytes, { precision, profile: true, gpu, onProgress: (p) => {
    const now = performance.now();
    stages.set(stage, (stages.get(stage) ?? 0) + now - last);
    last = now;
    stage = p.stage;
  } });
  stages.set(stage, (stages.get(stage) ?? 0) + performance.now() - last);
  const loadMs = performance.now() - t0;
  const pipes = pipelineCache(session.context.device).size;
  const name = session.inputNames[0];
  const perOp = new Map<string, { ms: number; n: number }>();
  const steps: { i: number; ms: number; what: string }[] = [];
  // Wall time and process CPU time (SwiftShader runs in this process's threads: CPU time is the steadier clock on a
  // machine shared with other work); medians over the frames after one warm-up.
  const wall: number[] = [], cpu: number[] = [];
  for (let f = 0; f <= Number(args.frames); f++) {
    const t = performance.now();
    const c = process.cpuUsage();
    await session.run({ [name]: { dims: [1, 3, size, size], data } });
    const dc = process.cpuUsage(c);
    if (f > 0) {
      wall.push(performance.now() - t);
      cpu.push((dc.user + dc.system) / 1000);
    }
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const info = session.steps();
  for (const s of session.profile()) {
    const k = `${info[s.index].op}/${s.kernel}`;
    const e = perOp.get(k) ?? { ms: 0, n: 0 };
    e.ms += s.ms;
    e.n++;
    perOp.set(k, e);
    steps.push({ i: s.index, ms: s.ms, what: `${info[s.index].op} ${s.kernel} ${info[s.index].inputShapes.map((d) => `[${d}]`).join(',')}->[${info[s.index].outputShape}] ${info[s.index].choice?.family ?? ''}` });
  }
  const total = [...perOp.values()].reduce((a, e) => a + e.ms, 0);
  console.log(`\n## ${m.id} ${precision}: load ${loadMs.toFixed(0)} ms (${[...stages].map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}), ` +
    `${info.length} steps, ${pipes} pipelines; frame median ${med(wall).toFixed(1)} ms wall, ${med(cpu).toFixed(1)} ms CPU, GPU sum ${total.toFixed(1)} ms`);
  for (const [k, e] of [...perOp].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(args.top))) {
    console.log(`  ${e.ms.toFixed(2).padStart(9)} ms  ${String(e.n).padStart(3)}x  ${k}`);
  }
  if (args.steps) for (const s of steps.sort((a, b) => b.ms - a.ms).slice(0, Number(args.top))) console.log(`  step ${String(s.i).padStart(3)} ${s.ms.toFixed(2).padStart(8)} ms ${s.what}`);
  await session.dispose();
}
process.exit(0);
