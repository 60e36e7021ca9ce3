/**
 * Planning as a pure function: (graph, precision config, device target, tuned choices) -> Plan. A plan is data:
 * the steps (kernel specs and what they bind), every value's storage and layout, the constants to upload and the
 * activation buffer layout. Nothing here touches a GPU: `uploadConstants` (upload.ts) and `Executable.create`
 * (executor.ts) turn a plan into GPU objects, and `describePlan` (describe.ts) prints it, with or without a device.
 */
import type { PlanTarget } from '../../gpu/profiles.ts';
import type { Conv2dF32Variant } from '../../shaders/conv2d_f32.ts';
import type { SessionOptions } from '../api.ts';
import { type Graph, ModelError } from '../ir.ts';
import { lowerGraph } from '../ops/lower.ts';
import { type PrecisionConfig, heuristicMixedConfig, uniformConfig } from '../precision.ts';
import { checkConfigLayers } from '../precision-check.ts';
import { prepareGraph } from '../prepare.ts';
import { PlanContext } from './context.ts';
import { type BufferPlan, lifetimesOf, planBuffers } from './memory.ts';
import type { PlanConst, PlanStep, RtValue } from './types.ts';

/** A graph input or output: its name, dims, and the value whose buffer holds it. */
export interface IoSpec {
  name: string;
  dims: number[];
  /** Name of the value whose buffer holds it. */
  root: string;
}

export interface Plan {
  target: PlanTarget;
  steps: PlanStep[];
  /** Every value the steps read or write (converted copies and aliases included), by name. */
  values: Map<string, RtValue>;
  /** Constants to upload, indexed by `PlanConst.id`. */
  consts: PlanConst[];
  /** Bytes of weights among the constants (tables and zero fills not counted). */
  weightBytes: number;
  inputs: IoSpec[];
  outputs: IoSpec[];
  /** Activation buffers shared by liveness (memory.ts). */
  buffers: BufferPlan;
}

export interface PlanOptions {
  config?: PrecisionConfig;
  /** Float conv variants chosen by plan-time tuning, by node name (tune-plan.ts `tunePlan`). */
  variants?: ReadonlyMap<string, Conv2dF32Variant>;
  inputLayout?: SessionOptions['inputLayout'];
  /** Values to read back besides the graph outputs. */
  outputs?: string[];
  onProgress?: (done: number, total: number) => void;
}

/** Plans a prepared graph (prepare.ts) for a device target. Pure: the same arguments give the same plan. */
export function buildPlan(graph: Graph, target: PlanTarget, opts: PlanOptions = {}): Plan {
  const ctx = new PlanContext(target, graph, opts.config, opts.variants);
  const inputLayout = opts.inputLayout === 'nhwc' ? 'nhwc' : 'plain';
  for (const input of graph.inputs) ctx.define(input.name, input.shape as number[], inputLayout, 'f32');
  lowerGraph(ctx, opts.onProgress);
  const names = [...new Set([...graph.outputs.map((o) => o.name), ...(opts.outputs ?? [])])];
  const outputs = names.map((name) => {
    if (!ctx.has(name)) throw new ModelError(`requested output '${name}' is not a value of the planned graph (fused away, constant, or unknown)`);
    const v = ctx.as(name, { layout: 'plain', storage: 'f32' });
    return { name, dims: v.dims, root: ctx.root(v.name) };
  });
  const inputs = graph.inputs.map((i) => ({ name: i.name, dims: i.shape as number[], root: i.name }));
  const buffers = planBuffers(lifetimesOf(ctx.steps, ctx.values, inputs.map((i) => i.root), outputs.map((o) => o.root)));
  return { target, steps: ctx.steps, values: ctx.values, consts: ctx.consts, weightBytes: ctx.weightBytes, inputs, outputs, buffers };
}

/** The precision config a session plans with: the given config, else the one `precision` names (none: fp32 / QDQ as exported). */
export function sessionConfig(graph: Graph, opts: Pick<SessionOptions, 'config' | 'precision'>): PrecisionConfig | undefined {
  const isQdq = graph.nodes.some((n) => n.opType === 'DequantizeLinear');
  return opts.config ?? (opts.precision === 'mixed' ? (isQdq ? undefined : heuristicMixedConfig(graph))
    : opts.precision ? uniformConfig(opts.precision) : undefined);
}

/** Loads and prepares the model bytes and checks the config's layer names against the prepared graph. */
export function preparePlanGraph(bytes: Uint8Array, opts: SessionOptions): Graph {
  const graph = prepareGraph(bytes, opts);
  // Nodes fused into others still count as named (their names live on the fused node).
  if (opts.config) checkConfigLayers(opts.config, { nodes: graph.nodes.flatMap((n) => [n, ...fusedNames(n).map((name) => ({ name, opType: n.opType }))]) });
  return graph;
}

/**
 * The plan `InferenceSession.create(bytes, opts)` makes on a device with this target, untuned, without a device:
 * for `quantgpu inspect --caps` and `describePlan(planModel(...))`.
 */
export function planModel(bytes: Uint8Array, target: PlanTarget, opts: SessionOptions = {}): Plan {
  const graph = preparePlanGraph(bytes, opts);
  const progress = opts.onProgress ?? (() => {});
  return buildPlan(graph, target, {
    config: sessionConfig(graph, opts), inputLayout: opts.inputLayout, outputs: opts.outputs,
    onProgress: (done, total) => progress({ stage: 'plan', done, total }),
  });
}

function fusedNames(n: Graph['nodes'][number]): string[] {
  return n.fused?.names ?? [];
}
