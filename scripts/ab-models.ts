/**
 * Whole models side by side under Node/Dawn: every root (a checkout of quantgpu, to compare commits) x model file,
 * in interleaved rounds so that load from other processes hits all of them alike. One device per root: pipeline
 * caches are per device and two commits may share a kernel key for different code. A file named *.qdq.* runs as
 * INT8, any other as FP32. Prints session load ms, and median wall, process CPU and summed GPU-step ms per run.
 *
 *   node --import tsx --import ./scripts/raw-hook.mjs scripts/ab-models.ts --models a.onnx,b.qdq.onnx [--roots .,/tmp/old] [--rounds 9]
 *
 * CPU time (user + system, all threads of this process) is the work SwiftShader did: on a machine shared with
 * other jobs it is the steadier clock; wall and GPU timestamps include waiting for a core.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { acquireNodeDevice } from '../src/node/gpu.ts';
const args = process.argv.slice(2);
const flag = (n: string, d: string) => { const i = args.indexOf(`--${n}`); return i >= 0 ? args[i + 1] : d; };
const rounds = Number(flag('rounds', '9'));
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const runs: { name: string; wall: number[]; cpu: number[]; gpu: number[]; load: number; run: () => Promise<void> }[] = [];
for (const root of flag('roots', '.').split(',')) {
  const { InferenceSession } = await import(resolve(root, 'src/runtime/session.ts'));
  const ctx = await acquireNodeDevice({ label: root });
  for (const file of flag('models', '').split(',')) {
    const t0 = performance.now();
    const s = await InferenceSession.create(new Uint8Array(readFileSync(file)), { context: ctx, profile: true, precision: file.includes('.qdq.') ? 'int8' : 'fp32' });
    const load = performance.now() - t0;
    const [input] = s.inputNames as string[];
    const dims = s.inputShapes[input] as number[];
    let seed = 3;
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1)).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
    const e = { name: `${root} ${file.split('/').pop()}`, wall: [] as number[], cpu: [] as number[], gpu: [] as number[], load, run: async () => {
      const t = performance.now();
      const c = process.cpuUsage();
      await s.run({ [input]: { dims, data } });
      const dc = process.cpuUsage(c);
      e.wall.push(performance.now() - t);
      e.cpu.push((dc.user + dc.system) / 1000);
      e.gpu.push((s.profile() as { ms: number }[]).reduce((a, x) => a + x.ms, 0));
    } };
    for (let i = 0; i < 2; i++) await e.run();
    e.wall.length = e.cpu.length = e.gpu.length = 0;
    runs.push(e);
    console.error(`loaded ${e.name} in ${load.toFixed(0)} ms`);
  }
}
for (let r = 0; r < rounds; r++) for (const e of runs) await e.run();
console.log('| root | model | load ms | median wall ms | median CPU ms | median GPU ms (sum of steps) |\n|---|---|---:|---:|---:|---:|');
for (const e of runs) console.log(`| ${e.name.replace(' ', ' | ')} | ${e.load.toFixed(0)} | ${med(e.wall).toFixed(1)} | ${med(e.cpu).toFixed(1)} | ${med(e.gpu).toFixed(1)} |`);
process.exit(0);
