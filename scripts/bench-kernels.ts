/**
 * Kernel benchmark: GFLOP/s of the conv kernels on ResNet-18 and YOLOv8n (640) layer shapes (batch 1) and a
 * depthwise layer. FP32: every candidate variant and the tuned best; weight-only W8/W4 (f32 activations) with the
 * tuned FP32 variant; W8A8 and W4A8 (integer kernels) best of their tiles, with ratios to FP32; and every integer
 * family (register `reg`, f32-sum `fma`, workgroup-memory `smem`, depthwise) with its GFLOP/s on this device and
 * its analytic MAC per global byte (conv2d_int_traffic.ts). Prints markdown tables.
 *
 *   node --import tsx --import ./scripts/raw-hook.mjs scripts/bench-kernels.ts [--reps 2] [--shapes r56,r28,y80,...] [--only int]
 *
 * Times are the minimum over `reps` single-dispatch submits after one warm-up (GPU timestamps when the
 * device has them); buffers hold zeros. GFLOP/s = 2 * MACs / time.
 */
import { acquireNodeDevice } from '../src/node/gpu.ts';
import { createStorage } from '../src/gpu/exec.ts';
import { type ConvShape, convMacs, convOutSize, convShape } from '../src/shaders/conv-shape.ts';
import { conv2dF32Kernel, type Conv2dF32Variant } from '../src/shaders/conv2d_f32.ts';
import { conv2dWoKernel } from '../src/shaders/conv2d_wo.ts';
import { Autotuner, type TuneGpu, convScratchBuffers, timeKernel, tuneConv } from '../src/runtime/plan/autotune.ts';
import type { DeviceCaps, KernelSpec } from '../src/shaders/kernel.ts';
import { chooseIntVariant, chooseW4Variant } from '../src/runtime/ops/conv-select.ts';
import { intMacPerByte } from '../src/shaders/conv2d_int_traffic.ts';
import { type ConvIntParams, conv2dW8A8Kernel, dotCandidates } from '../src/shaders/conv2d_w8a8.ts';
import { conv2dW4A8Kernel } from '../src/shaders/conv2d_w4a8.ts';
import { conv2dIntDwKernel, isDepthwise } from '../src/shaders/conv2d_int_dw.ts';
import { w4Layout } from '../src/shaders/conv2d_int_pack_w4.ts';
import { intTileLabel } from '../src/runtime/ops/conv-int-pick.ts';

const args = process.argv.slice(2);
const flag = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const reps = Number(flag('reps', '2'));
/** `--only int`: the integer family table alone (no FP32 tuning or weight-only rows; much shorter). */
const intOnly = flag('only', 'all') === 'int';
const pad1 = { padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
const layers: Record<string, ConvShape> = {
  r56: convShape({ n: 1, h: 56, w: 56, cin: 64, cout: 64, kh: 3, kw: 3, ...pad1 }),
  r28: convShape({ n: 1, h: 28, w: 28, cin: 128, cout: 128, kh: 3, kw: 3, ...pad1 }),
  r14: convShape({ n: 1, h: 14, w: 14, cin: 256, cout: 256, kh: 3, kw: 3, ...pad1 }),
  r7: convShape({ n: 1, h: 7, w: 7, cin: 512, cout: 512, kh: 3, kw: 3, ...pad1 }),
  dw56: convShape({ n: 1, h: 56, w: 56, cin: 128, cout: 128, kh: 3, kw: 3, groups: 128, ...pad1 }),
  // YOLOv8n at 640: the stride-2 stem and downsampling convs, C2f bottleneck 3x3s, and 1x1 C2f/SPPF convs.
  y320: convShape({ n: 1, h: 640, w: 640, cin: 3, cout: 16, kh: 3, kw: 3, strideH: 2, strideW: 2, ...pad1 }),
  y160: convShape({ n: 1, h: 160, w: 160, cin: 16, cout: 16, kh: 3, kw: 3, ...pad1 }),
  y80: convShape({ n: 1, h: 80, w: 80, cin: 32, cout: 32, kh: 3, kw: 3, ...pad1 }),
  y40s2: convShape({ n: 1, h: 80, w: 80, cin: 64, cout: 128, kh: 3, kw: 3, strideH: 2, strideW: 2, ...pad1 }),
  y20: convShape({ n: 1, h: 20, w: 20, cin: 128, cout: 128, kh: 3, kw: 3, ...pad1 }),
  y80pw: convShape({ n: 1, h: 80, w: 80, cin: 96, cout: 64, kh: 1, kw: 1 }),
  y20pw: convShape({ n: 1, h: 20, w: 20, cin: 512, cout: 256, kh: 1, kw: 1 }),
};
const names = flag('shapes', Object.keys(layers).join(',')).split(',');
for (const n of names) if (!layers[n]) throw new Error(`bench-kernels: unknown shape ${n} (have ${Object.keys(layers).join(', ')})`);

const describe = (s: ConvShape): string =>
  `${s.h}x${s.w}x${s.cin}->${s.cout} ${s.kh}x${s.kw}${s.groups > 1 ? ` dw` : ''}`;
const gflops = (s: ConvShape, ms: number): number => (2 * convMacs(s)) / ms / 1e6;
const variantName = (v: Conv2dF32Variant): string =>
  v.family === 'shared' ? `shared ${v.tm}x${v.tn4} wg ${v.wgx}x${v.wgy} bk ${v.bk}`
    : v.family === 'dw' ? `dw tm ${v.tm} wg ${v.wg}` : `${v.family} ${v.tm}x${v.tn4} wg ${v.wg}`;

/** Zero-filled buffers for any binding of an integer kernel of `s` (sizes are upper bounds). */
function intScratch(gpu: TuneGpu, s: ConvShape, spec: KernelSpec): Record<string, GPUBuffer> {
  const { outH, outW } = convOutSize(s);
  const bytes = 4 * Math.max(s.n * s.h * s.w * s.cin, s.n * outH * outW * s.cout, s.kh * s.kw * (s.cin / s.groups + 8) * (s.cout + 8), 256);
  return Object.fromEntries(spec.bindings.filter((b) => b.name !== 'u').map((b) => [b.name, createStorage(gpu.device, bytes, `bench:${b.name}`)]));
}

/** Best time over the integer kernel's tile variants, or a reason why there is none. */
async function bestInt(gpu: TuneGpu, s: ConvShape, bits: 8 | 4): Promise<{ ms: number; tile: string } | string> {
  try {
    const epilogue = { out: 'int8' as const, residual: false, lut: false };
    const q = { zIn: 0 };
    let specs: KernelSpec[];
    const dw = s.groups > 1 && s.groups === s.cin && s.cin === s.cout;
    if (bits === 8 && dw) {
      const m = await import('../src/shaders/conv2d_int_dw.ts');
      specs = m.conv2dIntDwVariants(s, gpu.caps, epilogue).map((p) => m.conv2dIntDwKernel(p, s, q));
    } else if (bits === 8) {
      const m = await import('../src/shaders/conv2d_w8a8.ts');
      specs = m.conv2dW8A8Variants(s, gpu.caps, epilogue).map((p) => m.conv2dW8A8Kernel(p, s, q));
    } else {
      if (dw) return 'no W4A8 depthwise kernel';
      const m = await import('../src/shaders/conv2d_w4a8.ts');
      const { w4Layout } = await import('../src/shaders/conv2d_int_pack_w4.ts');
      const layout = w4Layout(s);
      specs = m.conv2dW4A8Variants(s, gpu.caps, epilogue).map((p) => m.conv2dW4A8Kernel(p, s, layout, q));
    }
    let best: { ms: number; tile: string } | undefined;
    for (const spec of specs) {
      const buffers = intScratch(gpu, s, spec);
      const ms = await timeKernel(gpu, spec, buffers, { reps });
      Object.values(buffers).forEach((b) => b.destroy());
      const family = /"family":"(\w+)"/.exec(spec.key)?.[1] ?? '';
      const dot = /"dot":"(\w+)"/.exec(spec.key)?.[1] ?? '';
      const tile = `${family} ${spec.constants.TM}x${spec.constants.TN4 ?? 1}${family === 'fma' ? '' : ` ${dot}`}`;
      if (!best || ms < best.ms) best = { ms, tile };
    }
    return best ?? 'no variants';
  } catch (e) {
    return `unavailable: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** One representative variant per integer family (and both dot products of the GPU default). */
function intFamilies(s: ConvShape): { label: string; bits: 8 | 4; params: ConvIntParams }[] {
  const hw: DeviceCaps = { ...gpu.caps, software: false };
  const out: { label: string; bits: 8 | 4; params: ConvIntParams }[] = [];
  const add = (label: string, bits: 8 | 4, params: ConvIntParams) => out.push({ label, bits, params });
  const gpuDefault = chooseIntVariant(s, hw, epilogue);
  add(`${intTileLabel(gpuDefault)} (GPU default)`, 8, gpuDefault);
  if (isDepthwise(s)) return out;
  const sw = chooseIntVariant(s, { ...gpu.caps, software: true }, epilogue);
  if (sw.tile.family !== gpuDefault.tile.family) add(`${intTileLabel(sw)} (software default)`, 8, sw);
  for (const dot of dotCandidates(gpu.caps)) add(intTileLabel({ tile: { family: 'reg', tm: 4, tn4: 2, wg: 64 }, dot, epilogue }), 8, { tile: { family: 'reg', tm: 4, tn4: 2, wg: 64 }, dot, epilogue });
  if (gpuDefault.tile.family === 'smem') add(intTileLabel({ ...gpuDefault, dot: 'fallback' }), 8, { ...gpuDefault, dot: 'fallback' });
  const w4 = chooseW4Variant(s, hw, epilogue, w4Layout(s));
  add(`W4 ${intTileLabel(w4)} (GPU default)`, 4, w4);
  if (w4.tile.family === 'smem') add(`W4 reg 4x4 ${w4.dot}`, 4, { ...w4, tile: { family: 'reg', tm: 4, tn4: 1, wg: 64 } });
  return out;
}

const epilogue = { out: 'int8' as const, residual: false, lut: false };
const familyRows: string[] = ['| layer | family / tile | ms | GFLOP/s | MAC/B (analytic) |', '|---|---|---:|---:|---:|'];
async function timeFamilies(s: ConvShape): Promise<void> {
  for (const f of intFamilies(s)) {
    const q = { zIn: 0 };
    const spec = f.bits === 4 ? conv2dW4A8Kernel(f.params, s, w4Layout(s), q)
      : isDepthwise(s) ? conv2dIntDwKernel(f.params, s, q) : conv2dW8A8Kernel(f.params, s, q);
    const buffers = intScratch(gpu, s, spec);
    try {
      const ms = await timeKernel(gpu, spec, buffers, { reps });
      familyRows.push(`| ${describe(s)} | ${f.label} | ${ms.toFixed(2)} | ${gflops(s, ms).toFixed(2)} | ${intMacPerByte(f.params.tile, s, isDepthwise(s)).toFixed(1)} |`);
    } catch (e) {
      familyRows.push(`| ${describe(s)} | ${f.label} | failed: ${(e as Error).message.split('\n')[0]} | | |`);
    } finally {
      Object.values(buffers).forEach((b) => b.destroy());
    }
  }
}

const gpu = await acquireNodeDevice({ label: 'bench-kernels' });
const t0 = performance.now();
console.log(`# Kernel benchmark\n\nDevice: ${gpu.caps.adapterKey} (software: ${gpu.caps.software}), reps ${reps}, batch 1\n`);
const variantRows: string[] = ['| layer | FP32 variant | ms | GFLOP/s |', '|---|---|---:|---:|'];
const summary: string[] = [
  '| layer | MFLOP | FP32 tuned (variant) | WO-W8 | WO-W4 | W8A8 (tile) | W8A8/FP32 | W4A8 (tile) | W4A8/FP32 |',
  '|---|---:|---|---:|---:|---|---:|---|---:|',
];
const tuner = new Autotuner();
for (const name of names) {
  const s = layers[name];
  if (intOnly) {
    await timeFamilies(s);
    console.error(`bench-kernels: ${name} done at ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    continue;
  }
  const tuned = await tuneConv(tuner, gpu, 'conv2d_f32', s, (variant) => conv2dF32Kernel(s, { variant }, gpu.caps), { reps });
  for (const t of tuned.timings) variantRows.push(`| ${describe(s)} | ${variantName(t.variant)} | ${t.ms.toFixed(1)} | ${gflops(s, t.ms).toFixed(2)} |`);
  const fp32 = Math.min(...tuned.timings.map((t) => t.ms));
  if (!tuned.timings.some((t) => t.variant.family === 'shared') && s.groups === 1) {
    // The tuner skips shared-memory tiles on software devices; time one (once: it is slow there) for the table.
    const shared: Conv2dF32Variant = { family: 'shared', tm: 4, tn4: 1, wgx: 8, wgy: 8, bk: 16 };
    const buffers = convScratchBuffers(gpu.device, s, false);
    const ms = await timeKernel(gpu, conv2dF32Kernel(s, { variant: shared }, gpu.caps), buffers, { reps: 1, warmup: 0 });
    Object.values(buffers).forEach((b) => b.destroy());
    variantRows.push(`| ${describe(s)} | ${variantName(shared)} (not a tuner candidate here) | ${ms.toFixed(1)} | ${gflops(s, ms).toFixed(2)} |`);
  }
  const wo: string[] = [];
  for (const bits of [8, 4] as const) {
    const buffers = convScratchBuffers(gpu.device, s, false);
    const ms = await timeKernel(gpu, conv2dWoKernel(s, { bits, variant: tuned.best }, gpu.caps), buffers, { reps });
    Object.values(buffers).forEach((b) => b.destroy());
    wo.push(gflops(s, ms).toFixed(2));
  }
  const ints = [await bestInt(gpu, s, 8), await bestInt(gpu, s, 4)].flatMap((r) =>
    typeof r === 'string' ? [r, '-'] : [`${gflops(s, r.ms).toFixed(2)} (${r.tile})`, (fp32 / r.ms).toFixed(2)]);
  await timeFamilies(s);
  summary.push(`| ${describe(s)} | ${((2 * convMacs(s)) / 1e6).toFixed(0)} | ${gflops(s, fp32).toFixed(2)} (${variantName(tuned.best)}) | ${wo.join(' | ')} | ${ints.join(' | ')} |`);
  console.error(`bench-kernels: ${name} done at ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
if (!intOnly) {
  console.log('## FP32 variants (GFLOP/s)\n');
  console.log(variantRows.join('\n'));
}
console.log('\n## Integer families (W8A8 unless marked W4; analytic MAC per global byte of the tiling)\n');
console.log(familyRows.join('\n'));
if (!intOnly) {
  console.log('\n## Summary (GFLOP/s; ratios are speed-ups over FP32 tuned; WO = weight-only, f32 activations)\n');
  console.log(summary.join('\n'));
}
console.log(`\nTotal ${((performance.now() - t0) / 1000).toFixed(0)} s`);
gpu.device.destroy();
