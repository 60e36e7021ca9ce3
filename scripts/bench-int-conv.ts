/**
 * Integer conv vs FP32 conv, side by side on one device: every FP32 candidate (convCandidates) and every integer
 * variant (conv2dW8A8Variants / conv2dIntDwVariants) of each layer are timed in interleaved rounds, so that load
 * from other processes hits all of them alike; medians per variant, then best FP32 vs best W8A8 and the variant
 * `chooseIntVariant` picks.
 *
 *   node --import tsx --import ./scripts/raw-hook.mjs scripts/bench-int-conv.ts [--rounds 7] [--shapes r56,c32,...]
 *     [--int-only] [--match 'fp32 reg 4x4|int fma']
 *   ... bench-int-conv.ts --models a.onnx,b.onnx [--roots .,/tmp/old-checkout] [--rounds 15]
 *
 * `--models`: whole models instead of layers, every model x root (a checkout of quantgpu, to compare commits) in
 * interleaved rounds; median ms per run (wall clock) and median summed GPU step time (timestamps).
 *
 * Buffers hold zeros (no data-dependent timing in these kernels). Times: `--clock wall` (default): GPU timestamps
 * when the device has them, else wall clock around one submit (see timeKernel). `--clock cpu`: CPU time of this
 * process around one submit (user + system, all threads): on a CPU-backed device (SwiftShader) this is the work
 * done, much less sensitive to other processes sharing the machine than the wall clock.
 */
import { acquireNodeDevice } from '../src/node/gpu.ts';
import { createStorage } from '../src/gpu/exec.ts';
import { type ConvShape, convOutSize, convShape } from '../src/shaders/conv-shape.ts';
import { conv2dF32Kernel } from '../src/shaders/conv2d_f32.ts';
import { conv2dW8A8Kernel, conv2dW8A8Variants, type ConvIntParams } from '../src/shaders/conv2d_w8a8.ts';
import { conv2dIntDwKernel, conv2dIntDwVariants, isDepthwise } from '../src/shaders/conv2d_int_dw.ts';
import { chooseIntVariant } from '../src/runtime/ops/conv-select.ts';
import { type TuneGpu, convCandidates, convScratchBuffers, timeKernel } from '../src/runtime/plan/autotune.ts';
import { createBindGroup, createUniformBuffer } from '../src/gpu/pipelines.ts';
import { pipelineCache } from '../src/gpu/exec.ts';
import type { KernelSpec } from '../src/shaders/kernel.ts';

const args = process.argv.slice(2);
const flag = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const rounds = Number(flag('rounds', '7'));
const intOnly = args.includes('--int-only');
/** Only variants whose `kind name` (e.g. `fp32 reg 4x4`, `int fma 4x2 packed`) matches this regex. */
const match = new RegExp(flag('match', '.'));
const pad1 = { padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
const c3 = (h: number, c: number, groups = 1): ConvShape => convShape({ n: 1, h, w: h, cin: c, cout: c, kh: 3, kw: 3, groups, ...pad1 });
const layers: Record<string, ConvShape> = {
  r56: c3(56, 64), r28: c3(28, 128), r14: c3(14, 256), r7: c3(7, 512),
  c32: c3(32, 16), c16: c3(16, 32), c8: c3(8, 64),
  pw28: convShape({ n: 1, h: 28, w: 28, cin: 128, cout: 256, kh: 1, kw: 1 }),
  dw56: c3(56, 128, 128),
};
const names = flag('shapes', Object.keys(layers).join(',')).split(',');
for (const n of names) if (!layers[n]) throw new Error(`bench-int-conv: unknown shape ${n} (have ${Object.keys(layers).join(', ')})`);

const describe = (s: ConvShape): string => `${s.h}x${s.w}x${s.cin}->${s.cout} ${s.kh}x${s.kw}${s.groups > 1 ? ' dw' : ''}`;
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const intName = (p: ConvIntParams): string => `${p.tile.family} ${p.tile.tm}x${p.tile.tn4} ${p.dot}`;

/** Zero-filled buffers for any binding of an integer kernel of `s` (sizes are upper bounds). */
function intScratch(gpu: TuneGpu, s: ConvShape, spec: KernelSpec): Record<string, GPUBuffer> {
  const { outH, outW } = convOutSize(s);
  const bytes = 4 * Math.max(s.n * s.h * s.w * s.cin, s.n * outH * outW * s.cout, 4 * s.kh * s.kw * (s.cin / s.groups + 8) * (s.cout + 8), 256);
  return Object.fromEntries(spec.bindings.filter((b) => b.name !== 'u').map((b) => [b.name, createStorage(gpu.device, bytes, `bench:${b.name}`)]));
}

const clock = flag('clock', 'wall');

/** CPU milliseconds (user + system, whole process) of one dispatch of `spec`. */
async function cpuTime(g: TuneGpu, spec: KernelSpec, buffers: Record<string, GPUBuffer>): Promise<number> {
  const pipeline = await pipelineCache(g.device).get(spec);
  const u = createUniformBuffer(g.device, spec);
  const bindGroup = createBindGroup(g.device, pipeline, spec, u ? { ...buffers, u } : buffers);
  await g.device.queue.onSubmittedWorkDone();
  const c0 = process.cpuUsage();
  const enc = g.device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(...spec.dispatch);
  pass.end();
  g.device.queue.submit([enc.finish()]);
  await g.device.queue.onSubmittedWorkDone();
  const c = process.cpuUsage(c0);
  u?.destroy();
  return (c.user + c.system) / 1000;
}
const measure = (g: TuneGpu, spec: KernelSpec, buffers: Record<string, GPUBuffer>): Promise<number> =>
  clock === 'cpu' ? cpuTime(g, spec, buffers) : timeKernel(g, spec, buffers, { warmup: 0, reps: 1 });

interface Entry { kind: 'fp32' | 'int'; name: string; spec: KernelSpec; buffers: Record<string, GPUBuffer>; ms: number[] }

const gpu = await acquireNodeDevice({ label: 'bench-int-conv' });
if (args.includes('--models')) {
  const { readFileSync } = await import('node:fs');
  const { resolve } = await import('node:path');
  const runs: { name: string; run: () => Promise<number>; wall: number[]; gpu: number[] }[] = [];
  for (const root of flag('roots', '.').split(',')) {
    const { InferenceSession } = await import(resolve(root, 'src/runtime/session.ts'));
    for (const file of flag('models', '').split(',')) {
      const s = await InferenceSession.create(new Uint8Array(readFileSync(file)), { context: gpu, profile: true });
      const [input] = s.inputNames as string[];
      const dims = s.inputShapes[input] as number[];
      const data = new Float32Array(dims.reduce((a, b) => a * b, 1)).map(() => Math.random());
      const entry = { name: `${root} ${file}`, wall: [] as number[], gpu: [] as number[], run: async () => {
        const t0 = performance.now();
        await s.run({ [input]: { dims, data } });
        return performance.now() - t0;
      } };
      for (let i = 0; i < 3; i++) await entry.run();
      runs.push({ ...entry, run: async () => {
        const ms = await entry.run();
        entry.gpu.push((s.profile() as { ms: number }[]).reduce((a, x) => a + x.ms, 0));
        return ms;
      } });
      runs[runs.length - 1].gpu = entry.gpu;
    }
  }
  for (let r = 0; r < rounds; r++) for (const e of runs) e.wall.push(await e.run());
  console.log('| root | model | median ms/run | median GPU ms (sum of steps) |\n|---|---|---:|---:|');
  for (const e of runs) console.log(`| ${e.name.replace(' ', ' | ')} | ${median(e.wall).toFixed(1)} | ${median(e.gpu).toFixed(1)} |`);
  process.exit(0);
}
console.log(`# Integer conv benchmark\n\nDevice: ${gpu.caps.adapterKey} (software: ${gpu.caps.software}, packedDot: ${gpu.caps.packedDot}), ${rounds} interleaved rounds, medians, clock ${clock}\n`);
const detail: string[] = ['| layer | variant | median ms | min ms |', '|---|---|---:|---:|'];
const summary: string[] = ['| layer | FP32 best (variant) ms | W8A8 best (variant) ms | FP32/W8A8 | chosen (variant) ms | FP32/chosen |', '|---|---|---|---:|---|---:|'];
const epilogue = { out: 'int8' as const, residual: false, lut: false };
for (const key of names) {
  const s = layers[key];
  const entries: Entry[] = [];
  if (!intOnly) {
    for (const v of convCandidates(s, gpu.caps)) {
      const spec = conv2dF32Kernel(s, { variant: v, act: { kind: 'relu' } }, gpu.caps);
      entries.push({ kind: 'fp32', name: `${v.family} ${v.tm}x${'tn4' in v ? v.tn4 : 1}`, spec, buffers: convScratchBuffers(gpu.device, s, false), ms: [] });
    }
  }
  const dw = isDepthwise(s);
  const variants = dw ? conv2dIntDwVariants(s, gpu.caps, epilogue) : conv2dW8A8Variants(s, gpu.caps, epilogue);
  const chosen = chooseIntVariant(s, gpu.caps, epilogue);
  for (const p of variants) {
    const spec = dw ? conv2dIntDwKernel(p, s, { zIn: 0 }) : conv2dW8A8Kernel(p, s, { zIn: 0 });
    entries.push({ kind: 'int', name: intName(p), spec, buffers: intScratch(gpu, s, spec), ms: [] });
  }
  for (const e of entries.filter((x) => !match.test(`${x.kind} ${x.name}`))) Object.values(e.buffers).forEach((b) => b.destroy());
  entries.splice(0, entries.length, ...entries.filter((x) => match.test(`${x.kind} ${x.name}`)));
  for (const e of entries) await timeKernel(gpu, e.spec, e.buffers, { warmup: 1, reps: 1 });
  for (let r = 0; r < rounds; r++) {
    for (const e of entries) e.ms.push(await measure(gpu, e.spec, e.buffers));
  }
  for (const e of entries) detail.push(`| ${describe(s)} | ${e.kind} ${e.name} | ${median(e.ms).toFixed(2)} | ${Math.min(...e.ms).toFixed(2)} |`);
  const best = (kind: Entry['kind']): Entry | undefined =>
    entries.filter((e) => e.kind === kind).reduce<Entry | undefined>((a, b) => (!a || median(b.ms) < median(a.ms) ? b : a), undefined);
  const f = best('fp32');
  const i = best('int');
  const c = entries.find((e) => e.kind === 'int' && e.name === intName(chosen));
  const fms = f ? median(f.ms) : NaN;
  const cell = (e: Entry | undefined): string => (e ? `${median(e.ms).toFixed(2)} (${e.name})` : '-');
  summary.push(`| ${describe(s)} | ${cell(f)} | ${cell(i)} | ${i ? (fms / median(i.ms)).toFixed(2) : '-'} | ${cell(c)} | ${c ? (fms / median(c.ms)).toFixed(2) : '-'} |`);
  for (const e of entries) Object.values(e.buffers).forEach((b) => b.destroy());
  console.error(`bench-int-conv: ${key} done`);
}
console.log(detail.join('\n'));
console.log(`\n## Summary (median ms; ratios > 1: integer faster)\n`);
console.log(summary.join('\n'));
gpu.device.destroy();
