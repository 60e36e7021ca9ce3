/**
 * Plan-time autotuning: before the graph is planned, every float Conv/Gemm layer's kernel variant is timed on this
 * device (autotune.ts) and the fastest returned as the `variants` that buildPlan takes; after planning, every integer conv step's
 * alternatives (all tile families, see conv-int-pick.ts) are timed and the fastest swapped in (`tuneSteps`). Choices are cached per adapter and shape in
 * an Autotuner that callers can share across sessions and persist (exportJSON / importJSON).
 */
import { conv2dF32Kernel } from '../../shaders/conv2d_f32.ts';
import { convShape, type ConvShape } from '../../shaders/conv-shape.ts';
import { Autotuner, tuneConv } from './autotune.ts';
import type { GpuContext } from '../../gpu/device.ts';
import type { Conv2dF32Variant } from '../../shaders/conv2d_f32.ts';
import { type Graph, type Node, attrInt } from '../ir.ts';
import { type PrecisionConfig, layerPrecision } from '../precision.ts';
import type { Plan } from './build.ts';
import { constantBuffers } from './upload.ts';
import { fusedActivation } from '../fuse/activation-fusion.ts';
import { convNodeShape } from '../ops/geometry.ts';
import { producerOf } from '../fuse/graph-util.ts';
import { createStorage } from '../../gpu/exec.ts';
import { valueBytes } from './types.ts';

/** The process-wide cache used when a session asks for tuning without bringing its own Autotuner. */
export const defaultTuner = new Autotuner();

/** The conv shape a float layer will run with, or undefined if it will not take a float kernel. */
function floatLayerShape(graph: Graph, node: Node): ConvShape | undefined {
  const w = node.inputs[1] ? graph.initializers.get(node.inputs[1]) : undefined;
  if (!w || w.dtype !== 'float32' || producerOf(graph, node.inputs[1])) return undefined;
  const xInfo = graph.valueInfo.get(node.inputs[0]);
  if (!xInfo || xInfo.shape.some((d) => typeof d !== 'number')) return undefined;
  const x = xInfo.shape as number[];
  // A QDQ layer (input from a DequantizeLinear) runs on the integer kernels.
  if (producerOf(graph, node.inputs[0])?.opType === 'DequantizeLinear') return undefined;
  if (node.opType === 'Conv') return convNodeShape(node, x, w.dims);
  if (node.opType === 'Gemm' && x.length === 2) {
    const n = attrInt(node, 'transB', 0) ? w.dims[0] : w.dims[1];
    return convShape({ n: 1, h: 1, w: x[0], cin: x[1], cout: n, kh: 1, kw: 1 });
  }
  return undefined;
}

/** The fastest float conv variant per layer on this device, by node name: the tuned choices buildPlan takes. */
export async function tunePlan(gpu: GpuContext, graph: Graph, config: PrecisionConfig | undefined, tuner: Autotuner,
  progress: (done: number, total: number) => void): Promise<Map<string, Conv2dF32Variant>> {
  await tuner.load();
  const variants = new Map<string, Conv2dF32Variant>();
  const layers = graph.nodes
    .filter((n) => n.opType === 'Conv' || n.opType === 'Gemm')
    .map((node) => ({ node, shape: floatLayerShape(graph, node) }))
    .filter((l): l is { node: Node; shape: ConvShape } => !!l.shape);
  let done = 0;
  for (const { node, shape } of layers) {
    const prec = layerPrecision(config, node.name).weights;
    if (prec !== 'fp32' && prec !== 'fp16') continue;
    const weights = prec === 'fp16' ? (gpu.caps.f16 ? 'f16' : 'f16pack') : 'f32';
    const act = fusedActivation(node);
    const residual = node.fused?.residual !== undefined;
    const family = `conv2d_f32:${weights}:${act.kind}:${residual ? 'res' : 'plain'}`;
    const r = await tuneConv(tuner, { device: gpu.device, caps: gpu.caps }, family, shape,
      (variant) => conv2dF32Kernel(shape, { act, residual, weights, variant }, gpu.caps), { warmup: 1, reps: 3 });
    variants.set(node.name, r.best);
    progress(++done, layers.length);
  }
  return variants;
}

/**
 * Plan-time tuning of the lowered steps that carry alternatives (integer convs): each candidate kernel is timed
 * with the step's own constant buffers and zero-filled scratch buffers for its activations, and the fastest
 * replaces the step's spec (choices cached per adapter, epilogue and shape, like the float layers).
 */
export async function tuneSteps(ctx: GpuContext, plan: Plan, consts: GPUBuffer[], tuner: Autotuner,
  progress: (done: number, total: number) => void): Promise<void> {
  await tuner.load();
  const steps = plan.steps.filter((s) => s.alternatives);
  const gpu = { device: ctx.device, caps: ctx.caps };
  let done = 0;
  for (const step of steps) {
    const alt = step.alternatives!;
    const candidates = alt.candidates();
    const cached = tuner.lookup<string>(gpu.caps, alt.cacheFamily, alt.shapeKey);
    let best = cached !== undefined ? candidates.find((c) => c.label === cached) : undefined;
    if (!best) {
      const scratch = Object.fromEntries(Object.entries(step.values).map(([binding, name]) => {
        const v = plan.values.get(name)!;
        return [binding, createStorage(ctx.device, valueBytes(v.dims, v.storage, v.layout), `tune:${binding}`)];
      }));
      try {
        const r = await tuner.tune(gpu, alt.cacheFamily, alt.shapeKey, candidates.map((c) => ({ variant: c.label, spec: c.spec })),
          { ...constantBuffers(step.constants, consts), ...scratch }, { warmup: 1, reps: 3 });
        best = candidates.find((c) => c.label === r.best);
      } finally {
        Object.values(scratch).forEach((b) => b.destroy());
      }
    }
    if (best) {
      step.spec = best.spec;
      step.choice = best.choice;
    }
    progress(++done, steps.length);
  }
  await tuner.save();
}
